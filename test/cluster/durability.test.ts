// No acknowledged write is lost: writers keep going through every member while the leader is
// SIGKILLed, and then the whole cluster is SIGKILLed and restarted on its data dirs; every write
// that got a 2xx answer is still there, with its value, on every member.
import { afterEach, expect, test } from "bun:test";
import type { Cluster } from "../support/cluster.ts";
import { eventually, getKey, putKey, startServingCluster } from "./client.ts";

let cluster: Cluster | null = null;
afterEach(async () => {
  await cluster?.stop();
  cluster = null;
});

/** Writers that record what was acknowledged and shrug off failures (members die under them). */
function startWriters(urls: () => string[], options: { writers: number }): { acked: Map<string, string>; stop: () => Promise<number> } {
  const acked = new Map<string, string>();
  let running = true;
  let failures = 0;
  const loops = Array.from({ length: options.writers }, async (_, w) => {
    for (let i = 0; running; i++) {
      const targets = urls();
      const url = targets[(i + w) % targets.length]!;
      const key = `/acked/w${w}-${i}`;
      try {
        const r = await putKey(url, key, { value: `${w}:${i}`, timeoutMs: 8000 });
        if (r.status === 200 || r.status === 201) acked.set(key, `${w}:${i}`);
        else failures++;
      } catch {
        failures++;
        await Bun.sleep(50);
      }
    }
  });
  return {
    acked,
    stop: async () => {
      running = false;
      await Promise.all(loops);
      return failures;
    },
  };
}

test(
  "acknowledged writes survive a leader kill and a whole-cluster crash",
  async () => {
    cluster = await startServingCluster({ size: 3, proxied: false });
    const c = cluster;
    const writers = startWriters(() => c.running().map((m) => m.clientURL), { writers: 6 });
    await Bun.sleep(1500);
    const leader = await c.waitForLeader();
    await leader.kill("SIGKILL");
    await c.waitForLeader(15_000);
    await Bun.sleep(1500);
    await leader.start();
    await Bun.sleep(1000);
    await writers.stop();
    const acked = writers.acked;
    expect(acked.size).toBeGreaterThan(50);

    // Everything at once, no goodbye: only what reached the disks before may come back.
    await Promise.all(c.members.map((m) => m.kill("SIGKILL")));
    await Promise.all(c.members.map((m) => m.start()));
    await c.waitForLeader(30_000);

    for (const m of c.members) {
      const dir = await eventually(() => getKey(m.clientURL, "/acked", { quorum: true, timeoutMs: 10_000 }), (r) => r.status === 200, { timeoutMs: 20_000 });
      if (dir.status !== 200) throw new Error(`${m.name} does not serve after restart: ${dir.status}\n${m.logs()}`);
      const nodes = (dir.body?.node as { nodes?: { key: string; value: string }[] } | undefined)?.nodes ?? [];
      const have = new Map(nodes.map((n) => [n.key, n.value]));
      const lost = [...acked].filter(([k, v]) => have.get(k) !== v);
      expect({ member: m.name, lost: lost.slice(0, 5), lostCount: lost.length }).toEqual({ member: m.name, lost: [], lostCount: 0 });
    }
  },
  90_000,
);
