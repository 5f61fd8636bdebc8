// Starting a member from its config: recover from the data dir when it holds a WAL (ignoring the
// --initial-* flags, as etcd does), otherwise bootstrap statically, then wire Raft, WAL, store and
// the peer transport together and start the run loop.
import type { MemberJSON } from "../../shared/v2.ts";
import type { Config } from "../config/config.ts";
import { bootstrapStatic } from "../bootstrap/static.ts";
import { createTransport } from "../peer/transport.ts";
import type { PeerTlsOptions } from "../peer/types.ts";
import { bootstrapLog } from "../raft/bootstrap.ts";
import { MemoryStorage } from "../raft/memory_storage.ts";
import { RawNode } from "../raft/raw_node.ts";
import { SeededRng } from "../raft/rng.ts";
import { decodeConfChange, encodeConfChange } from "../raft/conf_change_codec.ts";
import { type ConfState, type Entry, type HardState, ConfChangeType, EntryType } from "../raft/types.ts";
import { createStore } from "../store/index.ts";
import { createWal, openWal, walExists, type Disk } from "../wal/index.ts";
import { encodeConfContext } from "./entry.ts";
import { RaftMember } from "./raft-member.ts";
import { wallUs } from "./stats.ts";
import { VERSION_DOCUMENT } from "./version.ts";

export const STORE_NAMESPACES = ["/0", "/1", "/2"];

export interface StartedMember {
  member: RaftMember;
  /** Stops the run loop, the peer listeners and the WAL. */
  stop(): Promise<void>;
}

export interface StartMemberOptions {
  /** The disk the WAL writes to; the real file system unless a test injects a simulated one. */
  disk?: Disk;
  log?: (line: string) => void;
  /** Called when the member stops itself (removed, fatal disk error). */
  onFatal?: (reason: string) => void;
  /** Wall clock in microseconds for TTL expiry (SYNC entries); injected so tests can steer it. */
  nowUs?: () => number;
  /** Called on every peer message received, before the member handles it (see idle-poll.ts). */
  onPeerMessage?: () => void;
}

function peerTls(config: Config): PeerTlsOptions | undefined {
  const t = config.peerTls;
  if (!t.certFile && !t.keyFile && !t.trustedCaFile) return undefined;
  return { certFile: t.certFile || undefined, keyFile: t.keyFile || undefined, caFile: t.trustedCaFile || undefined, clientCertAuth: t.clientCertAuth };
}

function seedFrom(id: string): number {
  // Different members must draw different election timeouts; the seed mixes ID and start time.
  return (parseInt(id.slice(-8), 16) ^ Date.now()) >>> 0;
}

export async function startMember(config: Config, options: StartMemberOptions = {}): Promise<StartedMember> {
  const log = options.log ?? ((l: string) => console.error(l));
  const walOptions = { walDir: config.walDir || undefined, maxWals: config.maxWals, maxSnapshots: config.maxSnapshots, log, disk: options.disk };
  const store = createStore({ namespaces: STORE_NAMESPACES });
  const storage = new MemoryStorage();
  let id: string;
  let clusterId: string;
  let snapshotIndex = 0;
  let confState: ConfState = { voters: [], learners: [] };
  let wal;
  let seedPeers: MemberJSON[] = [];

  if (await walExists(config.dataDir, walOptions)) {
    log(`etcbun: recovering member from ${config.dataDir}; the --initial-cluster* flags are ignored since this member was already initialized`);
    const opened = await openWal(config.dataDir, walOptions);
    wal = opened.wal;
    id = opened.metadata.memberId;
    clusterId = opened.metadata.clusterId;
    if (opened.snapshot) {
      storage.applySnapshot(opened.snapshot);
      store.recover(opened.snapshot.data);
      storage.releaseSnapshotData(opened.snapshot.metadata.index);
      snapshotIndex = opened.snapshot.metadata.index;
      confState = opened.snapshot.metadata.confState;
    }
    let hardState = opened.hardState;
    let entries = opened.entries;
    if (config.forceNewCluster) {
      ({ hardState, entries } = forceNewCluster(id, { hardState, entries, confState }));
      await wal.save(hardState, entries.filter((e) => e.index > opened.hardState.commit));
      log(`etcbun: --force-new-cluster: restarting as a one-member cluster at commit ${hardState.commit}`);
    }
    storage.setHardState(hardState);
    if (entries.length > 0) storage.append(entries);
    log(`etcbun: recovered snapshot ${snapshotIndex}, ${opened.entries.length} log entries, term ${opened.hardState.term}, commit ${opened.hardState.commit}`);
  } else {
    const boot = await bootstrapStatic({
      name: config.name,
      initialCluster: config.initialCluster,
      initialAdvertisePeerURLs: config.initialAdvertisePeerURLs,
      initialClusterToken: config.initialClusterToken,
      initialClusterState: config.initialClusterState,
      tls: peerTls(config),
    });
    id = boot.selfId;
    clusterId = boot.clusterId;
    seedPeers = boot.members;
    wal = await createWal(config.dataDir, { memberId: id, clusterId }, walOptions);
    if (config.initialClusterState === "new") {
      const contexts = new Map(boot.members.map((m) => [m.id, encodeConfContext({ member: { id: m.id, name: m.name, peerURLs: m.peerURLs } })]));
      const { entries, hardState } = bootstrapLog(boot.members.map((m) => m.id), { contexts });
      await wal.save(hardState as HardState, entries);
      storage.append(entries);
      storage.setHardState(hardState);
    }
    // Joining an existing cluster: an empty log; the leader sends entries (or a snapshot).
  }

  const nowUs = options.nowUs ?? wallUs;
  const electionTicks = Math.max(2, Math.round(config.electionTimeoutMs / config.heartbeatIntervalMs));
  const node = new RawNode({
    id,
    storage,
    electionTimeoutTicks: electionTicks,
    heartbeatIntervalTicks: 1,
    rng: new SeededRng(seedFrom(id)),
    applied: snapshotIndex,
    checkQuorum: true,
    preVote: true,
  });

  const member: RaftMember = new RaftMember({
    id,
    name: config.name,
    clusterId,
    clientURLs: config.advertiseClientURLs,
    node,
    storage,
    wal,
    store,
    heartbeatIntervalMs: config.heartbeatIntervalMs,
    electionTimeoutMs: config.electionTimeoutMs,
    snapshotCount: config.snapshotCount,
    strictReconfigCheck: config.strictReconfigCheck,
    snapshotIndex,
    confState,
    nowUs,
    log,
    onFatal: (reason) => options.onFatal?.(reason),
  });

  const transport = createTransport({
    selfId: id,
    clusterId,
    onMessage: (m) => {
      options.onPeerMessage?.();
      member.receive(m);
    },
    onSnapshot: async (m) => member.receive(m),
    onUnreachable: (peer) => member.reportUnreachable(peer),
    onSnapshotStatus: (peer, ok) => member.reportSnapshot(peer, ok),
    snapshotData: (m) => wal.snapshotData(m),
    onRemoved: () => {
      log("etcbun: the member has been permanently removed from the cluster");
      options.onFatal?.("removed");
      void member.stop();
    },
    isRemoved: (peer) => member.isRemoved(peer),
    members: () => member.members(),
    version: () => VERSION_DOCUMENT,
    tls: peerTls(config),
    // The member's strict reconfig check compares the streams' activeSinceMs with its own clock
    // (Date.now and wallUs drift apart once NTP steps the wall clock).
    nowMs: () => nowUs() / 1000,
    log: (l) => log(`etcbun peer: ${l}`),
  });
  member.attachTransport(transport, seedPeers);
  for (const url of config.listenPeerURLs) transport.listen(url);
  member.start();
  log(`etcbun: member ${config.name} (${id}) of cluster ${clusterId} started; peer URLs ${config.listenPeerURLs.join(",")}`);
  return { member, stop: () => member.stop() };
}

/**
 * etcd's --force-new-cluster: drop what was never committed, then commit conf changes that
 * remove every other voter, so this member alone forms a quorum with all the data it had.
 */
export function forceNewCluster(selfId: string, log: { hardState: HardState; entries: Entry[]; confState: ConfState }): { hardState: HardState; entries: Entry[] } {
  const { hardState } = log;
  const committed = log.entries.filter((e) => e.index <= hardState.commit);
  const voters = new Set(log.confState.voters);
  for (const e of committed) {
    if (e.type !== EntryType.ConfChange) continue;
    const cc = decodeConfChange(e.data);
    if (cc.type === ConfChangeType.AddNode) voters.add(cc.nodeId);
    if (cc.type === ConfChangeType.RemoveNode) voters.delete(cc.nodeId);
  }
  const term = Math.max(hardState.term, 1);
  let index = hardState.commit;
  const extra: Entry[] = [];
  const push = (type: ConfChangeType, nodeId: string) =>
    extra.push({ term, index: ++index, type: EntryType.ConfChange, data: encodeConfChange({ type, nodeId, context: new Uint8Array(0) }) });
  for (const id of [...voters].sort()) if (id !== selfId) push(ConfChangeType.RemoveNode, id);
  if (!voters.has(selfId)) push(ConfChangeType.AddNode, selfId);
  return { hardState: { term, vote: hardState.vote, commit: index }, entries: [...committed, ...extra] };
}
