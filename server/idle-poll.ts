// Keeping a CPU awake between a member's events, as Seastar's reactor polls before it sleeps.
//
// A member at low concurrency sleeps between every two events: a client request, the followers'
// acknowledgements, the next append. Each sleep may halt the CPU, and waking a halted CPU is slow
// (on a virtual machine it is a trip through the hypervisor; on bare metal an exit from a deep
// C-state). Measured on this project's 2-vCPU benchmark machine (Firecracker, guest halt-polling
// off), two spinning lowest-priority processes raised one-client 3-member writes from ~3,200/s to
// ~4,400/s and halved p99: the time was not work but wake-ups.
//
// So after every client request and peer message a worker thread under SCHED_IDLE spins for
// `windowUs` (300 by default: at one client on three members it beat 150, 600, 1000 and 3000 in
// alternating rounds, 1.11x the throughput of 1000 with p99 0.82 against 1.38 ms), then sleeps
// until the next event. Any runnable thread of any process preempts it, so it only takes CPU
// time nobody else wants; an idle member does not spin at all.
// `--idle-poll-us 0` turns it off (laptops, shared hosts, or anyone who minds the CPU time).

import { readFileSync, readlinkSync } from "node:fs";

/**
 * Spin only while the member's main thread goes to sleep at least this often (per ms). Measured
 * on one member: 6,000-7,200 sleeps/s at one client, where a wake-up is most of a request; 75-180/s
 * under 16- and 64-client load, where the thread always has the next request waiting.
 */
const SLEEPS_PER_MS_MIN = 1;
/** How often the poller reads the main thread's sleep count (a file read, some microseconds). */
const SAMPLE_MS = 5;

export interface IdlePoll {
  /** Called on every event; cheap (a clock read and two shared-memory accesses). */
  touch(): void;
  stop(): void;
}

// Shared memory: [0] last event (ms on the shared clock, f64); [8] 0 while the worker sleeps or is
// about to, so touch() must wake it, else 1 (i32); [12] 1 once stopped (i32).
//
// SCHED_IDLE, not nice 19: the scheduler preempts a SCHED_IDLE thread for any normal thread woken
// on its CPU, where a nice-19 one may run on first. (Measured, neither alone kept one member's
// 64-client GETs from falling to 0.8x etcd's: the sleep gate below did.) Linux gives the policy
// only through sched_setscheduler, hence the FFI call; where that fails the worker ends and
// nothing spins.
const WORKER_SOURCE = `
let idle = false;
let why = "";
try {
  const { dlopen, ptr } = require("bun:ffi");
  const libc = dlopen("libc.so.6", { sched_setscheduler: { args: ["i32", "i32", "ptr"], returns: "i32" } });
  // Thread 0 is the calling thread; 5 is SCHED_IDLE; its one parameter (priority) must be 0.
  idle = libc.symbols.sched_setscheduler(0, 5, ptr(new Int32Array(1))) === 0;
  if (!idle) why = "sched_setscheduler(SCHED_IDLE) refused";
  libc.close();
} catch (e) {
  why = String(e && e.message ? e.message : e);
}
postMessage({ idle, why });
onmessage = (e) => {
  if (!idle) return close();
  const { openSync, readSync } = require("node:fs");
  const { sab, windowMs, mainStatus, sleepsPerMsMin, sampleMs } = e.data;
  const last = new Float64Array(sab, 0, 1);
  const state = new Int32Array(sab, 8, 1);
  const stop = new Int32Array(sab, 12, 1);
  const now = () => performance.timeOrigin + performance.now();
  // How many times the member's main thread has gone to sleep (blocked with nothing to do). Read
  // into one buffer and scanned as bytes: this thread allocates nothing once it runs, so it never
  // collects garbage (a collection here could hold the runtime's locks while it is starved).
  const KEY = Array.from("voluntary_ctxt_switches:", (c) => c.charCodeAt(0));
  const buf = new Uint8Array(4096);
  let fd = -1;
  try { fd = openSync(mainStatus, "r"); } catch {}
  const mainSleeps = () => {
    let n = 0;
    try { n = readSync(fd, buf, 0, buf.length, 0); } catch { return NaN; }
    outer: for (let i = 0; i + KEY.length < n; i++) {
      if (i > 0 && buf[i - 1] !== 10) continue; // at a line's start: not inside "nonvoluntary_..."
      for (let k = 0; k < KEY.length; k++) if (buf[i + k] !== KEY[k]) continue outer;
      let j = i + KEY.length;
      while (j < n && (buf[j] === 32 || buf[j] === 9)) j++;
      let v = 0;
      while (j < n && buf[j] >= 48 && buf[j] <= 57) v = v * 10 + (buf[j++] - 48);
      return v;
    }
    return NaN;
  };
  let sampledAt = now();
  let sampledSleeps = mainSleeps();
  let sleepsPerMs = Infinity;
  for (;;) {
    if (Atomics.load(stop, 0) !== 0) return close();
    const t = now();
    if (t - sampledAt >= sampleMs) {
      const sleeps = mainSleeps();
      sleepsPerMs = (sleeps - sampledSleeps) / (t - sampledAt);
      sampledAt = t;
      sampledSleeps = sleeps;
    }
    if (t - last[0] >= windowMs) {
      // Quiet for a whole window: sleep until the next event (state 0 asks touch() for a wake-up).
      Atomics.store(state, 0, 0);
      if (now() - last[0] >= windowMs) Atomics.wait(state, 0, 0);
      Atomics.store(state, 0, 1);
      continue;
    }
    if (!(sleepsPerMs >= sleepsPerMsMin)) {
      // The main thread seldom sleeps: it always has work queued (a loaded member), so no wake-up
      // waits on a halted CPU, and a spinning CPU beside it was measured to slow it (one member's
      // 64-client GETs by a fifth). Look again a sample later, without asking to be woken.
      Atomics.wait(stop, 0, 0, sampleMs);
      continue;
    }
    // PAUSE: spin at a fraction of the power and of a hyperthread sibling's execution units.
    for (let i = 0; i < 8; i++) Atomics.pause();
  }
};
`;

/**
 * Starts the poller, or returns null when it is off (`windowUs` 0) or cannot run here; `log` is
 * told why in the second case (also when the worker finds it cannot lower its own priority, after
 * this has returned: it then ends and nothing spins).
 */
export function startIdlePoll(windowUs: number, log: (line: string) => void = () => {}): IdlePoll | null {
  if (windowUs <= 0) return null;
  const unavailable = (why: string) => log(`the idle poll (--idle-poll-us) is not available here (${why}); running without it`);
  if (process.platform !== "linux") {
    unavailable("not Linux");
    return null;
  }
  if (typeof Worker === "undefined") {
    unavailable("no worker threads");
    return null;
  }
  const sab = new SharedArrayBuffer(16);
  const last = new Float64Array(sab, 0, 1);
  const state = new Int32Array(sab, 8, 1);
  const stop = new Int32Array(sab, 12, 1);
  // Threads inherit their creator's policy, and JavaScriptCore starts its GC helper threads (one
  // pool for the process) on the first collection that wants them: were that the worker's, the
  // member's own collections would mark on SCHED_IDLE threads and could stall behind any load.
  // So the pool is started here first.
  Bun.gc(true);
  let mainStatus: string;
  try {
    mainStatus = `/proc/${process.pid}/task/${readlinkSync("/proc/thread-self").split("/").pop()}/status`;
    if (!readFileSync(mainStatus, "utf8").includes("voluntary_ctxt_switches")) throw new Error("no voluntary_ctxt_switches");
  } catch (e) {
    // no per-thread accounting to tell a loaded member from a waiting one
    unavailable(`cannot read the main thread's context switches: ${(e as Error).message}`);
    return null;
  }
  let worker: Worker;
  try {
    const url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: "application/javascript" }));
    worker = new Worker(url);
    // Only once it has said something: it may read its source from the URL well after "open".
    worker.onmessage = (e: MessageEvent<{ idle: boolean; why: string }>) => {
      URL.revokeObjectURL(url);
      if (!e.data.idle) unavailable(e.data.why || "no SCHED_IDLE");
    };
  } catch (e) {
    unavailable(`cannot start a worker thread: ${(e as Error).message}`);
    return null;
  }
  last[0] = performance.timeOrigin + performance.now();
  Atomics.store(state, 0, 1);
  worker.postMessage({ sab, windowMs: windowUs / 1000, mainStatus, sleepsPerMsMin: SLEEPS_PER_MS_MIN, sampleMs: SAMPLE_MS });
  let stopped = false;
  return {
    touch() {
      last[0] = performance.timeOrigin + performance.now();
      if (Atomics.load(state, 0) === 0 && Atomics.compareExchange(state, 0, 0, 1) === 0) Atomics.notify(state, 0);
    },
    stop() {
      if (stopped) return;
      stopped = true;
      Atomics.store(stop, 0, 1);
      Atomics.store(state, 0, 1);
      Atomics.notify(state, 0);
      Atomics.notify(stop, 0);
      worker.terminate();
    },
  };
}
