import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { SCHED_IDLE, threads } from "../test/support/threads.ts";
import { until } from "../test/support/until.ts";
import { startIdlePoll } from "./idle-poll.ts";

/** This process's SCHED_IDLE threads: the poller's (and any thread it started, which inherits it). */
const idleThreads = () => threads(process.pid).filter((t) => t.policy === SCHED_IDLE);

const pollerCpuNs = () => idleThreads().reduce((sum, t) => sum + t.cpuNs, 0);

// Linux only: the poller itself (SCHED_IDLE, per-thread context switches) and this test's /proc reads.
test.skipIf(process.platform !== "linux")("a SCHED_IDLE thread spins after each touch while the caller keeps sleeping, not while it is always busy, and sleeps when idle; stop ends it", async () => {
  expect(startIdlePoll(0)).toBeNull(); // --idle-poll-us 0: no thread at all
  const before = idleThreads().length;
  expect(before).toBe(0);
  const poll = startIdlePoll(20_000)!;
  expect(poll).not.toBeNull();
  try {
    await until(() => idleThreads().length > before, { timeoutMs: 15_000 });
    // Only the poller is SCHED_IDLE: the GC helper threads, started before it, are not.
    const names = idleThreads().map((t) => readFileSync(`/proc/${process.pid}/task/${t.tid}/comm`, "utf8").trim());
    expect(names).not.toContain("HeapHelper");
    // Started, spun its first window, asleep: it takes no CPU while nothing happens.
    await Bun.sleep(100);
    const idle0 = pollerCpuNs();
    await Bun.sleep(200);
    expect(pollerCpuNs() - idle0).toBeLessThan(5e6);
    // A thread that sleeps thousands of times a second between events, like a member at one
    // client: it spins through them (on a busy machine it yields, so only a share is asserted).
    const nap = new Int32Array(new SharedArrayBuffer(4));
    const waiting0 = pollerCpuNs();
    for (let end = performance.now() + 300; performance.now() < end; ) {
      poll.touch();
      Atomics.wait(nap, 0, 0, 0.2); // a blocking 200 us sleep of this thread, as in epoll_wait
      await Bun.sleep(0);
    }
    expect(pollerCpuNs() - waiting0).toBeGreaterThan(40e6);
    // A thread that never sleeps, like a member under load: touched all along, it does not spin.
    await Bun.sleep(100);
    const loaded0 = pollerCpuNs();
    for (let end = performance.now() + 300; performance.now() < end; ) poll.touch();
    expect(pollerCpuNs() - loaded0).toBeLessThan(30e6);
    // The window passes and it sleeps again.
    await Bun.sleep(100);
    const idle1 = pollerCpuNs();
    await Bun.sleep(200);
    expect(pollerCpuNs() - idle1).toBeLessThan(5e6);
  } finally {
    poll.stop();
  }
  // Stopped: a touch no longer wakes it.
  poll.touch();
  await Bun.sleep(50);
  const stopped = pollerCpuNs();
  poll.touch();
  await Bun.sleep(200);
  expect(pollerCpuNs() - stopped).toBeLessThan(5e6);
}, 30_000);
