// Across real processes: a TTL key expires on every member through the same log entry (the
// leader's SYNC), so each member reports the same expire event at the same index; and the stats
// endpoints agree on who leads (/v2/stats/leader answers only on the leader, as etcd's does).
import { afterEach, expect, test } from "bun:test";
import type { Cluster } from "../support/cluster.ts";
import { putKey, startServingCluster } from "./client.ts";

let cluster: Cluster | null = null;
afterEach(async () => {
  await cluster?.stop();
  cluster = null;
});

interface EventBody {
  action: string;
  node: { key: string; modifiedIndex: number };
}

async function json(url: string): Promise<{ status: number; body: unknown }> {
  const r = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  return { status: r.status, body: await r.json() };
}

test(
  "a TTL key expires on every member at the same index; stats agree on the leader",
  async () => {
    cluster = await startServingCluster({ size: 3, proxied: false });
    const c = cluster;
    const leader = await c.waitForLeader();
    const followers = c.members.filter((m) => m !== leader);

    const set = await fetch(`${followers[0]!.clientURL}/v2/keys/lease?ttl=1`, {
      method: "PUT",
      body: new URLSearchParams({ value: "v" }),
      signal: AbortSignal.timeout(5000),
    });
    expect(set.status).toBe(201);
    const setIndex = ((await set.json()) as EventBody).node.modifiedIndex;

    // Each member's own history: the event after the set is the expiry, at one shared index.
    const expiries = await Promise.all(
      c.members.map(async (m) => (await json(`${m.clientURL}/v2/keys/lease?wait=true&waitIndex=${setIndex + 1}`)).body as EventBody),
    );
    expect(expiries.map((e) => e.action)).toEqual(["expire", "expire", "expire"]);
    expect(new Set(expiries.map((e) => e.node.modifiedIndex)).size).toBe(1);
    expect(expiries[0]!.node.modifiedIndex).toBeGreaterThan(setIndex);
    for (const m of c.members) expect((await fetch(`${m.clientURL}/v2/keys/lease`)).status).toBe(404);

    const leaderStats = await json(`${leader.clientURL}/v2/stats/leader`);
    expect(leaderStats.status).toBe(200);
    const ls = leaderStats.body as { leader: string; followers: Record<string, { counts: { success: number } }> };
    expect(ls.leader).toBe(leader.id!);
    expect(Object.keys(ls.followers).sort()).toEqual(followers.map((f) => f.id!).sort());
    for (const f of followers) {
      expect(await json(`${f.clientURL}/v2/stats/leader`)).toEqual({ status: 403, body: { message: "not current leader" } });
    }
    for (const m of c.members) {
      const self = (await json(`${m.clientURL}/v2/stats/self`)).body as { name: string; id: string; state: string; leaderInfo: { leader: string } };
      expect({ name: self.name, id: self.id, state: self.state, leader: self.leaderInfo.leader }).toEqual({
        name: m.name,
        id: m.id!,
        state: m === leader ? "StateLeader" : "StateFollower",
        leader: leader.id!,
      });
    }
    // The store stats count the cluster's writes on every member alike (they are applied entries).
    expect((await putKey(leader.clientURL, "/counted", { value: "1" })).status).toBe(201);
    const sets = await Promise.all(
      c.members.map(async (m) => {
        await json(`${m.clientURL}/v2/keys/counted?quorum=true`);
        return ((await json(`${m.clientURL}/v2/stats/store`)).body as { setsSuccess: number; expireCount: number });
      }),
    );
    expect(sets.map((s) => s.expireCount)).toEqual([1, 1, 1]);
    expect(new Set(sets.map((s) => s.setsSuccess)).size).toBe(1);
  },
  60_000,
);
