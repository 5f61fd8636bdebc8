// With a majority of members down, a write and a quorum read on the survivor fail the way etcd's
// do (500, errorCode 300 "Raft Internal Error") within etcd's request timeout (5 s + 2 election
// timeouts), and the cluster serves again once the members return.
import { afterEach, expect, test } from "bun:test";
import type { Cluster } from "../support/cluster.ts";
import { eventually, getKey, putKey, startServingCluster, type KeyResult } from "./client.ts";

const ELECTION_TIMEOUT_MS = 500;
const REQUEST_TIMEOUT_MS = 5000 + 2 * ELECTION_TIMEOUT_MS;
/** Scheduling slack on a loaded 2-core machine; the server's own deadline is what is checked. */
const SLACK_MS = 3000;

let cluster: Cluster | null = null;
afterEach(async () => {
  await cluster?.stop();
  cluster = null;
});

async function timed(call: () => Promise<KeyResult>): Promise<{ r: KeyResult; ms: number }> {
  const t0 = Date.now();
  const r = await call();
  return { r, ms: Date.now() - t0 };
}

test(
  "with a majority down, writes and quorum reads return errorCode 300 within the request timeout; the cluster recovers",
  async () => {
    cluster = await startServingCluster({ size: 3, proxied: false, electionTimeoutMs: ELECTION_TIMEOUT_MS, heartbeatIntervalMs: 50 });
    const c = cluster;
    const leader = await c.waitForLeader();
    expect((await putKey(leader.clientURL, "/before", { value: "1" })).status).toBe(201);

    const survivor = c.members.find((m) => m !== leader)!;
    // A follower learns of a commit a moment after the leader answers (a plain read is not
    // linearizable): wait until the survivor applied it, so the local read below has it to serve.
    await eventually(() => getKey(survivor.clientURL, "/before"), (r) => r.body?.node?.value === "1", { timeoutMs: 5000 });
    const down = c.members.filter((m) => m !== survivor);
    await Promise.all(down.map((m) => m.kill("SIGKILL")));

    const clientTimeoutMs = REQUEST_TIMEOUT_MS + SLACK_MS + 2000;
    const [write, read] = await Promise.all([
      timed(() => putKey(survivor.clientURL, "/during", { value: "x", timeoutMs: clientTimeoutMs })),
      timed(() => getKey(survivor.clientURL, "/before", { quorum: true, timeoutMs: clientTimeoutMs })),
    ]);
    for (const { r, ms } of [write, read]) {
      // etcd names a previous leader failure only when a leader was elected while the request waited.
      expect({ status: r.status, errorCode: r.body?.errorCode, message: r.body?.message, cause: r.body?.cause, index: r.body?.index }).toEqual({
        status: 500,
        errorCode: 300,
        message: "Raft Internal Error",
        cause: "etcdserver: request timed out",
        index: 0,
      });
      expect(ms).toBeLessThanOrEqual(REQUEST_TIMEOUT_MS + SLACK_MS);
    }
    // A plain read is served locally from what the survivor has.
    expect((await getKey(survivor.clientURL, "/before")).body?.node?.value).toBe("1");

    await Promise.all(down.map((m) => m.start()));
    await c.waitForLeader(20_000);
    const recovered = await eventually(() => putKey(survivor.clientURL, "/after", { value: "back" }), (r) => r.status === 201, { timeoutMs: 15_000 });
    expect(recovered.status).toBe(201);
    for (const m of c.members) {
      const after = await eventually(() => getKey(m.clientURL, "/after", { quorum: true }), (r) => r.status === 200, { timeoutMs: 10_000 });
      if (!(after.status === 200)) throw new Error(`${m.name} (${m.state}) does not serve: ${String(after)}\n${m.logs()}`);
      expect(after.body?.node?.value).toBe("back");
      expect((await getKey(m.clientURL, "/before", { quorum: true })).body?.node?.value).toBe("1");
    }
  },
  60_000,
);
