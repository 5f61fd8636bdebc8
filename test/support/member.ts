// A real Raft member in-process for tests: the same startMember path as the binary (WAL in a temp
// data dir, peer transport on a free loopback port), ready once it has published itself.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../server/config/index.ts";
import type { RaftMember } from "../../server/member/raft-member.ts";
import { startMember } from "../../server/member/start.ts";
import { freePort } from "./ports.ts";

export interface TestMember {
  member: RaftMember;
  /** The URL the member advertises to peers (the first it listens on). */
  peerURL: string;
  /** Stops the member and removes its data dir; safe to call twice. */
  stop(): Promise<void>;
}

export interface TestMemberOptions {
  name?: string;
  /** Advertised only: nothing listens there unless the test serves the API itself. */
  clientURLs?: string[];
  /** Wall clock for TTL expiry, in microseconds. */
  nowUs?: () => number;
  /** Join a running cluster: `--initial-cluster` including this member, state "existing". */
  join?: { initialCluster: (selfPeerURL: string) => string };
  /** The advertised peer URL, when the test must know it before the member starts (a join). */
  peerURL?: string;
  /** Peer URLs to listen on besides the advertised one. */
  extraPeerURLs?: string[];
}

export const freePeerURL = async () => `http://127.0.0.1:${await freePort()}`;

export async function startTestMember(opts: TestMemberOptions = {}): Promise<TestMember> {
  const name = opts.name ?? "n1";
  const peerURL = opts.peerURL ?? (await freePeerURL());
  const clientURLs = opts.clientURLs ?? ["http://127.0.0.1:2379"];
  const dataDir = mkdtempSync(join(tmpdir(), "etcbun-test-member-"));
  const initialCluster = opts.join ? opts.join.initialCluster(peerURL) : `${name}=${peerURL}`;
  const r = loadConfig(
    ["--name", name, "--data-dir", dataDir,
      "--listen-peer-urls", [peerURL, ...(opts.extraPeerURLs ?? [])].join(","), "--initial-advertise-peer-urls", peerURL,
      "--listen-client-urls", clientURLs.join(","), "--advertise-client-urls", clientURLs.join(","),
      "--initial-cluster", initialCluster, "--initial-cluster-state", opts.join ? "existing" : "new",
      // Short timings keep elections and joins quick on a loaded CI machine without flapping.
      "--heartbeat-interval", "20", "--election-timeout", "200"],
    {},
  );
  if (r.kind !== "run") throw new Error(`test member config: ${JSON.stringify(r)}`);
  const started = await startMember(r.config, { log: () => {}, nowUs: opts.nowUs });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await started.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await started.member.ready();
  } catch (e) {
    await stop();
    throw e;
  }
  return { member: started.member, peerURL, stop };
}
