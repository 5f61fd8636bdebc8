// What the keys benchmark measures: each scenario starts etcd or etcbun the same way and lists
// the operations and client counts it is measured at.
import { type Cluster, type ClusterMember, startCluster } from "../test/support/cluster.ts";
import { startServer } from "../test/support/servers.ts";
import type { Case, Scenario } from "./types.ts";

const grid = (ops: Case["op"][], clientCounts: number[]): Case[] =>
  ops.flatMap((op) => clientCounts.map((clients) => ({ op, clients })));

export const singleMember: Scenario = {
  name: "1 member",
  id: "1-member",
  cases: grid(["put", "get"], [1, 16, 64]),
  async start(kind) {
    const s = await startServer(kind, { name: "bench" });
    return { clientURLs: [s.clientURL], stop: () => s.stop() };
  },
};

/**
 * Three members with etcd's default timings, not the launcher's fast test ones: a loaded machine
 * must not turn a benchmark into a series of elections. No link proxies: peers talk directly.
 */
export async function startBenchCluster(kind: "etcd" | "etcbun"): Promise<{ cluster: Cluster; leader: ClusterMember }> {
  const cluster = await startCluster({ size: 3, server: kind, proxied: false, heartbeatIntervalMs: 100, electionTimeoutMs: 1000 });
  return { cluster, leader: await cluster.waitForLeader() };
}

export const threeMembers: Scenario = {
  name: "3 members",
  id: "3-member",
  cases: [...grid(["put"], [1, 16, 64, 256]), { op: "get", clients: 64 }, { op: "qget", clients: 64 }],
  async start(kind) {
    const { cluster: c, leader } = await startBenchCluster(kind);
    // Leader first, so a lone client (and the odd one out of a split) lands on the same role for
    // both servers: a follower forwards writes, which costs a hop the leader does not pay.
    const ordered = [leader, ...c.members.filter((m) => m !== leader)];
    return { clientURLs: ordered.map((m) => m.clientURL), stop: () => c.stop() };
  },
};

export const scenarios: Scenario[] = [singleMember, threeMembers];
