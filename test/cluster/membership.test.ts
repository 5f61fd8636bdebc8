// Runtime reconfiguration across real processes: a member added under write load (POST
// /v2/members, then started with --initial-cluster-state existing) joins and serves everything;
// removing the leader moves leadership elsewhere and the removed process exits by itself.
import { afterEach, expect, test } from "bun:test";
import type { MemberJSON } from "../../shared/v2.ts";
import type { Cluster } from "../support/cluster.ts";
import { whileRefused } from "../support/reconfig.ts";
import { eventually, getKey, putKey, startServingCluster, writeMany } from "./client.ts";

let cluster: Cluster | null = null;
afterEach(async () => {
  await cluster?.stop();
  cluster = null;
});

async function memberList(clientURL: string): Promise<MemberJSON[]> {
  const r = await fetch(`${clientURL}/v2/members`, { signal: AbortSignal.timeout(5000) });
  expect(r.status).toBe(200);
  return ((await r.json()) as { members: MemberJSON[] }).members;
}

test(
  "a member added under write load joins and serves; removing the leader moves leadership and the removed process exits",
  async () => {
    cluster = await startServingCluster({ size: 3, proxied: false });
    const c = cluster;
    const original = [...c.members];

    let stop = false;
    const load = writeMany(
      original.map((m) => m.clientURL),
      "/load",
      { count: 1_000_000, concurrency: 8, stop: () => stop },
    );
    await Bun.sleep(500);
    const added = await c.addMember();
    // Keep writing while it catches up, so it joins a moving cluster.
    await eventually(() => getKey(added.clientURL, "/"), (r) => r.status === 200, { timeoutMs: 20_000 });
    await Bun.sleep(1000);
    stop = true;
    const written = await load;
    expect(written).toBeGreaterThan(0);

    // A joining member already answers clients before it has caught up, from what it has applied so
    // far (for a moment an empty member list and store, index 0); known issue, so check after catch-up.
    const caughtUpTo = (await getKey(original[0]!.clientURL, "/", { quorum: true })).etcdIndex;
    await eventually(() => getKey(added.clientURL, "/"), (r) => r.etcdIndex >= caughtUpTo, { timeoutMs: 15_000 });
    expect((await memberList(added.clientURL)).length).toBe(4);
    const listed = (await memberList(original[0]!.clientURL)).find((j) => j.peerURLs.includes(added.peerURL));
    // Started and published: it has its name and client URL in the member list.
    const published = await eventually(
      async () => (await memberList(original[0]!.clientURL)).find((j) => j.peerURLs.includes(added.peerURL)),
      (j) => j?.name === added.name,
      { timeoutMs: 10_000 },
    );
    expect(listed?.id).toBeDefined();
    expect(published?.clientURLs).toEqual([added.clientURL]);

    // It serves every key written before and during its join, and takes writes itself.
    const finalIndex = (await getKey(original[0]!.clientURL, "/", { quorum: true })).etcdIndex;
    await eventually(() => getKey(added.clientURL, "/"), (r) => r.etcdIndex >= finalIndex, { timeoutMs: 15_000 });
    const all = await getKey(added.clientURL, "/load", { timeoutMs: 10_000 });
    const nodes = (all.body?.node as { nodes?: { key: string; value: string }[] } | undefined)?.nodes ?? [];
    expect(nodes.length).toBe(written);
    expect((await putKey(added.clientURL, "/joined", { value: added.name })).status).toBe(201);
    for (const m of c.members) expect((await getKey(m.clientURL, "/joined", { quorum: true })).body?.node?.value).toBe(added.name);

    // Remove the leader through another member; leadership moves and the old leader stops itself.
    const leader = await c.waitForLeader();
    const via = c.running().find((m) => m !== leader)!;
    const del = await whileRefused(() => fetch(`${via.clientURL}/v2/members/${leader.id}`, { method: "DELETE", signal: AbortSignal.timeout(15_000) }));
    expect(del.status).toBe(204);
    const exited = await eventually(async () => leader.state, (s) => s === "stopped", { timeoutMs: 15_000 });
    if (exited !== "stopped") throw new Error(`removed leader ${leader.name} still ${exited}\n${leader.logs()}`);

    const next = await c.waitForLeader(15_000);
    expect(next).not.toBe(leader);
    const remaining = await memberList(via.clientURL);
    const bare = (id: string) => id.toLowerCase().replace(/^0+/, "");
    expect(remaining.map((j) => bare(j.id)).sort()).toEqual(c.running().map((m) => bare(m.id!)).sort());
    expect(remaining.some((j) => j.peerURLs.includes(leader.peerURL))).toBe(false);
    for (const m of c.running()) {
      expect((await putKey(m.clientURL, `/after-removal/${m.name}`, { value: "ok" })).status).toBe(201);
    }
    for (const m of c.running()) {
      for (const w of c.running()) expect((await getKey(m.clientURL, `/after-removal/${w.name}`, { quorum: true })).status).toBe(200);
    }
  },
  90_000,
);
