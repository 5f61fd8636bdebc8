// The floor relay answers a PUT only after a follower has logged it, and the CPU reading counts
// every thread of a process.
import { expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { cpuNs, floorDeployment } from "./floor.ts";

test("the floor relay logs a write on the leader and a follower before answering with an etcd-shaped body", async () => {
  const d = await floorDeployment();
  try {
    const res = await fetch(`${d.url}/v2/keys/bench/k1`, {
      method: "PUT",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: "value=hello",
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("X-Etcd-Index")).not.toBeNull();
    const body = await res.json();
    expect(body.action).toBe("set");
    expect(body.node.value).toBe("hello");
    // A majority holds it: the leader's log and at least one follower's.
    const logged = readdirSync(d.dir).filter((f) => readFileSync(join(d.dir, f)).includes("/v2/keys/bench/k1\nvalue=hello"));
    expect(logged.some((f) => f.startsWith("leader-"))).toBe(true);
    expect(logged.some((f) => f.startsWith("follower-"))).toBe(true);
  } finally {
    await d.stop();
  }
});

test("cpuNs adds up the CPU time of a process's threads and only grows", () => {
  const before = cpuNs(process.pid).allNs;
  let x = 0;
  for (let i = 0; i < 2e6; i++) x += Math.sqrt(i);
  expect(x).toBeGreaterThan(0);
  const after = cpuNs(process.pid).allNs;
  expect(before).toBeGreaterThan(0);
  expect(after).toBeGreaterThan(before);
  // This process has no SCHED_IDLE thread: none counted.
  expect(cpuNs(process.pid).idleNs).toBe(0);
});
