// A follower stopped while the cluster takes 20,000 writes comes back behind the leader's
// compaction point (--snapshot-count 1000; the leader keeps 5000 entries after a snapshot), so
// it can only catch up by installing the leader's snapshot, and then serves every key.
import { afterEach, expect, test } from "bun:test";
import type { Cluster } from "../support/cluster.ts";
import { eventually, getKey, putKey, startServingCluster, writeMany } from "./client.ts";
import { raftEventsOf } from "./feed.ts";

const WRITES = 20_000;
const SNAPSHOT_COUNT = 1000;

let cluster: Cluster | null = null;
afterEach(async () => {
  await cluster?.stop();
  cluster = null;
});

test(
  "a follower restarted after 20,000 writes catches up by snapshot",
  async () => {
    cluster = await startServingCluster({ size: 3, proxied: false, snapshotCount: SNAPSHOT_COUNT });
    const c = cluster;
    const leader = await c.waitForLeader();
    const follower = c.members.find((m) => m !== leader)!;
    await follower.kill("SIGTERM");
    const stoppedAt = (await getKey(leader.clientURL, "/")).etcdIndex;

    // Through the leader only: the test is about catch-up, not forwarding.
    expect(await writeMany([leader.clientURL], "/load", { count: WRITES, concurrency: 32 })).toBe(WRITES);
    const leaderIndex = (await getKey(leader.clientURL, "/", { quorum: true })).etcdIndex;
    expect(leaderIndex).toBeGreaterThanOrEqual(stoppedAt + WRITES);

    await follower.start();
    const caughtUp = await eventually(() => getKey(follower.clientURL, "/"), (r) => r.etcdIndex >= leaderIndex, { timeoutMs: 30_000 });
    if (caughtUp.etcdIndex < leaderIndex) throw new Error(`follower at ${caughtUp.etcdIndex}, leader at ${leaderIndex}\n${follower.logs()}`);

    // Every key is there, read locally from the follower (not forwarded: no quorum flag).
    const all = await getKey(follower.clientURL, "/load", { timeoutMs: 15_000 });
    const nodes = (all.body?.node as { nodes?: { key: string; value: string }[] } | undefined)?.nodes ?? [];
    expect(nodes.length).toBe(WRITES);
    expect(nodes.every((n) => n.key === `/load/${n.value}`)).toBe(true);

    const installed = (await raftEventsOf(follower.clientURL)).filter((e) => e.kind === "snapshot" && e.detail.startsWith("installed"));
    expect(installed.length).toBeGreaterThanOrEqual(1);
    // The snapshot covered what the follower had missed, past the point where it stopped.
    expect(installed[0]!.index!).toBeGreaterThan(stoppedAt + SNAPSHOT_COUNT);

    // And it takes part again: a write through it is read back from the others.
    expect((await putKey(follower.clientURL, "/after", { value: "x" })).status).toBe(201);
    for (const m of c.members) expect((await getKey(m.clientURL, "/after", { quorum: true })).body?.node?.value).toBe("x");
  },
  120_000,
);
