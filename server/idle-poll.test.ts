import { expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { startIdlePoll } from "./idle-poll.ts";

/** This process's threads at nice 19: the poller's, and the helper threads it started (they inherit its nice). */
function niceThreads(): { tid: string; cpuNs: number }[] {
  const out: { tid: string; cpuNs: number }[] = [];
  for (const tid of readdirSync(`/proc/${process.pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${process.pid}/task/${tid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[16]) !== 19) continue; // field 19 of stat: nice
      out.push({ tid, cpuNs: Number(readFileSync(`/proc/${process.pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]) });
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return out;
}

const pollerCpuNs = () => niceThreads().reduce((sum, t) => sum + t.cpuNs, 0);

async function waitFor(cond: () => boolean, ms: number): Promise<void> {
  const until = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > until) throw new Error("timed out");
    await Bun.sleep(5);
  }
}

test.skipIf(process.platform !== "linux")("a nice-19 thread spins for the window after each touch and sleeps otherwise; stop ends it", async () => {
  expect(startIdlePoll(0)).toBeNull(); // --idle-poll-us 0: no thread at all
  const before = niceThreads().length;
  const poll = startIdlePoll(20_000)!;
  expect(poll).not.toBeNull();
  try {
    await waitFor(() => niceThreads().length > before, 15_000);
    // Started, spun its first window, asleep: it takes no CPU while nothing happens.
    await Bun.sleep(100);
    const idle0 = pollerCpuNs();
    await Bun.sleep(200);
    expect(pollerCpuNs() - idle0).toBeLessThan(5e6);
    // Touched every 10 ms for 200 ms: it spins through it (on a busy machine it yields, so only
    // a share of the wall time is asserted).
    const busy0 = pollerCpuNs();
    for (let i = 0; i < 20; i++) {
      poll.touch();
      await Bun.sleep(10);
    }
    expect(pollerCpuNs() - busy0).toBeGreaterThan(30e6);
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
});
