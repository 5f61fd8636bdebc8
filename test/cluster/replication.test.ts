// 3- and 5-member clusters of dist/etcbun processes on loopback: a write through any member is
// readable from every member, and SIGKILLing the leader elects another within a few election
// timeouts while writes go on. The killed leader, restarted on its data dir, catches up.
import { afterEach, describe, expect, test } from "bun:test";
import type { Cluster, ClusterMember } from "../support/cluster.ts";
import { eventually, getKey, putKey, startServingCluster } from "./client.ts";

const ELECTION_TIMEOUT_MS = 500;
/** "A few election timeouts", plus room for a loaded 2-core CI machine to notice the leader is gone. */
const FAILOVER_BUDGET_MS = 8 * ELECTION_TIMEOUT_MS;

let cluster: Cluster | null = null;
afterEach(async () => {
  await cluster?.stop();
  cluster = null;
});

function dump(c: Cluster): string {
  return c.members.map((m) => `--- ${m.name} (${m.state})\n${m.logs().slice(-1200)}`).join("\n");
}

/** Each member writes one key; every member then serves every key (quorum reads at once, plain reads soon). */
async function expectWritesEverywhere(members: readonly ClusterMember[], round: string): Promise<void> {
  for (const m of members) {
    const r = await putKey(m.clientURL, `/${round}/${m.name}`, { value: `via-${m.name}` });
    expect(r.status).toBe(201);
  }
  for (const reader of members) {
    for (const writer of members) {
      const q = await getKey(reader.clientURL, `/${round}/${writer.name}`, { quorum: true });
      expect({ reader: reader.name, status: q.status, value: q.body?.node?.value }).toEqual({ reader: reader.name, status: 200, value: `via-${writer.name}` });
      const plain = await eventually(
        () => getKey(reader.clientURL, `/${round}/${writer.name}`),
        (r) => r.status === 200,
        { timeoutMs: 5000 },
      );
      expect(plain.body?.node?.value).toBe(`via-${writer.name}`);
    }
  }
}

async function killLeaderAndWaitForAnother(c: Cluster): Promise<{ old: ClusterMember; next: ClusterMember; electedAfterMs: number }> {
  const old = await c.waitForLeader();
  const killedAt = Date.now();
  await old.kill("SIGKILL");
  const next = await c.waitForLeader(FAILOVER_BUDGET_MS + 5000);
  return { old, next, electedAfterMs: Date.now() - killedAt };
}

for (const size of [3, 5]) {
  describe(`${size} members`, () => {
    test(
      "writes through any member are readable from every member; a killed leader is replaced and writes go on",
      async () => {
        cluster = await startServingCluster({ size, proxied: false, electionTimeoutMs: ELECTION_TIMEOUT_MS, heartbeatIntervalMs: 50 });
        const c = cluster;
        expect(c.members.every((m) => m.id !== undefined)).toBe(true);
        await expectWritesEverywhere(c.members, "before");

        // A 5-member cluster keeps quorum after losing two leaders in a row; a 3-member one after one.
        const failovers = size === 5 ? 2 : 1;
        const killed: ClusterMember[] = [];
        for (let i = 0; i < failovers; i++) {
          const { old, next, electedAfterMs } = await killLeaderAndWaitForAnother(c);
          killed.push(old);
          expect(next).not.toBe(old);
          if (electedAfterMs > FAILOVER_BUDGET_MS) throw new Error(`new leader after ${electedAfterMs} ms\n${dump(c)}`);
          await expectWritesEverywhere(c.running(), `after-kill-${i}`);
        }

        // The killed members come back on their data dirs and catch up on what they missed.
        const lastRound = `after-kill-${failovers - 1}`;
        const lastWriters = c.running();
        for (const m of killed) await m.start();
        await c.waitForLeader();
        for (const m of killed) {
          for (const w of lastWriters) {
            const r = await eventually(() => getKey(m.clientURL, `/${lastRound}/${w.name}`), (x) => x.status === 200, { timeoutMs: 10_000 });
            expect({ member: m.name, value: r.body?.node?.value }).toEqual({ member: m.name, value: `via-${w.name}` });
          }
        }
        await expectWritesEverywhere(c.members, "all-back");
      },
      90_000,
    );
  });
}
