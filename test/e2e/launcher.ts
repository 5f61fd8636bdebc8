// What the dashboard suites run against. Today: one member of dist/etcbun. When clustering
// lands, add a launcher that starts three members and pass it to the suites instead; the suites
// only use `members` and `stop`.
import { startServer, type RunningServer } from "../support/servers.ts";

export interface ClusterMember {
  name: string;
  clientURL: string;
  /** Kill this member's process (the failover test uses it). */
  stop(): Promise<void>;
}

export interface ClusterUnderTest {
  members: ClusterMember[];
  stop(): Promise<void>;
}

export type ClusterLauncher = () => Promise<ClusterUnderTest>;

function asMember(s: RunningServer): ClusterMember {
  return { name: s.name, clientURL: s.clientURL, stop: () => s.stop() };
}

/** A single etcbun member, started from the compiled executable in a scratch directory. */
export const singleMember: ClusterLauncher = async () => {
  const server = await startServer("etcbun", { name: "e2e" });
  return { members: [asMember(server)], stop: () => server.stop() };
};
