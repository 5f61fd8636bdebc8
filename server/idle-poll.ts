// Keeping a CPU awake between a member's events, as Seastar's reactor polls before it sleeps.
//
// A member at low concurrency sleeps between every two events: a client request, the followers'
// acknowledgements, the next append. Each sleep may halt the CPU, and waking a halted CPU is slow
// (on a virtual machine it is a trip through the hypervisor; on bare metal an exit from a deep
// C-state). Measured on this project's 2-vCPU benchmark machine (Firecracker, guest halt-polling
// off), two spinning nice-19 processes raised one-client 3-member writes from ~3,200/s to
// ~4,400/s and halved p99: the time was not work but wake-ups.
//
// So after every client request and peer message a worker thread at the lowest priority (nice 19)
// spins for `windowUs`, then sleeps until the next event. Any runnable thread of any process
// preempts it, so it only takes CPU time nobody else wants; an idle member does not spin at all.
// `--idle-poll-us 0` turns it off (laptops, shared hosts, or anyone who minds the CPU time).

export interface IdlePoll {
  /** Called on every event; cheap (a clock read and two shared-memory accesses). */
  touch(): void;
  stop(): void;
}

// Shared memory: [0] last event (ms on the shared clock, f64); [8] 1 while the worker spins, 0
// while it sleeps or is about to (i32, the Atomics.wait word).
const WORKER_SOURCE = `
const { readlinkSync } = require("node:fs");
const os = require("node:os");
try {
  // Only this thread: on Linux a thread ID given to setpriority names the thread, not the process.
  os.setPriority(Number(readlinkSync("/proc/thread-self").split("/").pop()), 19);
} catch {}
onmessage = (e) => {
  const { sab, windowMs } = e.data;
  const last = new Float64Array(sab, 0, 1);
  const state = new Int32Array(sab, 8, 1);
  const now = () => performance.timeOrigin + performance.now();
  for (;;) {
    if (now() - last[0] < windowMs) continue;
    Atomics.store(state, 0, 0);
    // An event that came after the check above and saw state 1 did not wake us: look again.
    if (now() - last[0] < windowMs) { Atomics.store(state, 0, 1); continue; }
    Atomics.wait(state, 0, 0);
    if (Atomics.load(state, 0) === 2) return close();
  }
};
`;

export function startIdlePoll(windowUs: number): IdlePoll | null {
  if (windowUs <= 0 || process.platform !== "linux" || typeof Worker === "undefined") return null;
  const sab = new SharedArrayBuffer(16);
  const last = new Float64Array(sab, 0, 1);
  const state = new Int32Array(sab, 8, 1);
  let worker: Worker;
  try {
    const url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: "application/javascript" }));
    worker = new Worker(url);
    // Not before it has loaded: the worker reads its source from the URL after this returns.
    worker.addEventListener("open", () => URL.revokeObjectURL(url));
  } catch {
    return null; // no threads here: run without it
  }
  last[0] = performance.timeOrigin + performance.now();
  Atomics.store(state, 0, 1);
  worker.postMessage({ sab, windowMs: windowUs / 1000 });
  let stopped = false;
  return {
    touch() {
      last[0] = performance.timeOrigin + performance.now();
      if (Atomics.load(state, 0) === 0 && Atomics.compareExchange(state, 0, 0, 1) === 0) Atomics.notify(state, 0);
    },
    stop() {
      if (stopped) return;
      stopped = true;
      Atomics.store(state, 0, 2);
      Atomics.notify(state, 0);
      worker.terminate();
    },
  };
}
