// The member server: the run loop that joins Raft, the WAL, the store and the peers.
// Every input (a tick, a peer message, a proposal) only mutates Raft synchronously and asks for
// a pump; the pump drains Ready batches one at a time: persist (one fsync per batch, however
// many client writes it carries) → send → apply → advance. A single member runs the same path.
import type { MemberJSON } from "../../shared/v2.ts";
import type { LogEntrySummary, RaftEventKind } from "../../shared/feed.ts";
import type { Transport } from "../peer/types.ts";
import { decodeConfChange } from "../raft/conf_change_codec.ts";
import type { MemoryStorage } from "../raft/memory_storage.ts";
import type { RawNode } from "../raft/raw_node.ts";
import { ProposalDroppedError, SnapOutOfDateError } from "../raft/errors.ts";
import {
  type ConfState,
  type Entry,
  type Message,
  type Ready,
  type Snapshot,
  ConfChangeType,
  EntryType,
  MessageType,
  StateRole,
} from "../raft/types.ts";
import { EtcdError, type ApplyResult, type V2Request, type V2Store } from "../store/types.ts";
import type { Wal } from "../wal/wal.ts";
import { computeMemberId } from "../bootstrap/ids.ts";
import { decodeConfContext, decodeRequestEntry, encodeConfContext, encodeRequestEntry } from "./entry.ts";
import { attributesRequest, CLUSTER_VERSION_PATH, clusterVersionRequest, raftAttributesRequest, readMembership, removeRequests } from "./membership.ts";
import { MembershipError, type LeaderStats, type Member, type SelfStats, timeoutError } from "./types.ts";
import { LinearizableReads } from "./read-index.ts";
import { CommitOnlyHold } from "./commit-hold.ts";
import type { IntrospectableMember, MemberIntrospection } from "./introspect.ts";
import { MemberObservers, peerProgress, type RaftEventFields } from "./observers.ts";
import { CONF_CHANGE_NAMES, summarizeEntry } from "./log-summary.ts";
import { addRefusal, type ReconfigRefusal, type ReconfigView, removeRefusal } from "./reconfig-check.ts";
import { goDuration, PeerTraffic, rfc3339, wallUs } from "./stats.ts";

/** etcd keeps this many entries in memory after a snapshot so slow followers catch up from the log. */
const SNAPSHOT_CATCH_UP_ENTRIES = 5000;
/** Bytes of large values copied into a snapshot per event-loop turn (a few ms each). */
const SNAPSHOT_FILL_STEP_BYTES = 4 << 20;
const SYNC_INTERVAL_MS = 500;
/** How long a commit-only append may wait for an append with entries to carry its commit index. */
const COMMIT_ONLY_DELAY_MS = 2;
const PUBLISH_RETRY_MS = 1000;

const CONF_CHANGE_EVENTS: Record<number, RaftEventKind> = {
  [ConfChangeType.AddNode]: "member-added",
  [ConfChangeType.RemoveNode]: "member-removed",
  [ConfChangeType.UpdateNode]: "member-updated",
  [ConfChangeType.AddLearnerNode]: "member-added",
};

export interface RaftMemberOptions {
  id: string;
  name: string;
  clusterId: string;
  clientURLs: string[];
  node: RawNode;
  storage: MemoryStorage;
  wal: Wal;
  store: V2Store;
  /** Built by the member's caller with callbacks into this member (see `attachTransport`). */
  transport?: Transport;
  heartbeatIntervalMs: number;
  electionTimeoutMs: number;
  snapshotCount: number;
  strictReconfigCheck: boolean;
  /** Index of the snapshot the member restarted from (0 for none). */
  snapshotIndex: number;
  confState: ConfState;
  /** Wall clock in microseconds; injected so tests can steer TTL expiry. */
  nowUs?: () => number;
  log?: (line: string) => void;
  /** Called once when the member must stop for good (removed from the cluster, fatal disk error). */
  onFatal?: (reason: string) => void;
}

interface Waiter {
  resolve(r: ApplyResult): void;
  reject(e: Error): void;
  /** Every waiter gets the same timeout, so the map's insertion order is deadline order. */
  startedMs: number;
  /** A membership change: it times out as /v2/members answers, not as a keys write. */
  conf?: true;
}

export class RaftMember implements Member, IntrospectableMember {
  readonly id: string;
  readonly name: string;
  readonly clusterId: string;
  readonly store: V2Store;
  private readonly node: RawNode;
  private readonly storage: MemoryStorage;
  private readonly wal: Wal;
  private transport: Transport | undefined;
  private readonly opts: RaftMemberOptions;
  private readonly nowUs: () => number;
  private readonly log: (line: string) => void;

  private readonly waiters = new Map<string, Waiter>();
  private readonly reads: LinearizableReads;
  /** Proposals not yet handed to Raft: batched into one Prop per pump. */
  private pending: Uint8Array[] = [];
  private reqSeq = 0;
  private readonly reqPrefix: string;
  private pumping = false;
  private pumpAgain = false;
  private diskFailedWith: Error | null = null;
  private stopped = false;
  private timers: ReturnType<typeof setInterval>[] = [];

  private appliedIndex = 0;
  private snapshotIndex: number;
  private snapshotting = false;
  private confState: ConfState;
  private memberList: MemberJSON[] = [];
  private removed = new Set<string>();
  /** Peer URLs as last handed to the transport. */
  private readonly peerURLs = new Map<string, string[]>();
  private published = false;
  private readonly publishedSignal = Promise.withResolvers<void>();
  private campaignedAlone = false;
  private clusterVersionSet = false;

  // Stats and introspection.
  private readonly startTimeMs = Date.now();
  private leaderSinceMs = Date.now();
  private lastLead = "";
  /** performance.now() when a leader was last seen elected; decides a timed-out proposal's cause. */
  private leadElectedAtMs = Number.NEGATIVE_INFINITY;
  private lastTerm = 0;
  private readonly traffic = new PeerTraffic();
  private readonly commitHold = new CommitOnlyHold(COMMIT_ONLY_DELAY_MS, (held) => {
    if (!this.stopped) this.transmit(held);
  });
  private readonly observers: MemberObservers;

  constructor(opts: RaftMemberOptions) {
    this.opts = opts;
    this.id = opts.id;
    this.name = opts.name;
    this.clusterId = opts.clusterId;
    this.store = opts.store;
    this.node = opts.node;
    this.storage = opts.storage;
    this.wal = opts.wal;
    this.transport = opts.transport;
    this.nowUs = opts.nowUs ?? wallUs;
    this.log = opts.log ?? ((l) => console.error(l));
    this.observers = new MemberObservers(this.log);
    this.snapshotIndex = opts.snapshotIndex;
    this.appliedIndex = opts.snapshotIndex;
    this.confState = opts.confState;
    this.reqPrefix = `${opts.id}.${Date.now().toString(36)}.`;
    this.reads = new LinearizableReads(this.reqPrefix, {
      ask: (ctx) => {
        try {
          this.node.readIndex(ctx);
        } catch (e) {
          if (!(e instanceof ProposalDroppedError)) throw e;
        }
        this.schedule();
      },
      hasLeader: () => this.node.raft.lead !== "",
      timeoutMs: () => this.requestTimeoutMs(),
      retryAfterMs: () => this.opts.electionTimeoutMs,
    });
    this.reloadMembership();
  }

  /**
   * Attach the peer transport. `seedPeers` are the running cluster's members a joining member
   * learned at bootstrap: until its log tells it the membership, it must still be able to answer
   * the leader.
   */
  attachTransport(transport: Transport, seedPeers: readonly MemberJSON[] = []): void {
    this.transport = transport;
    for (const m of seedPeers) {
      if (m.id === this.id || this.peerURLs.has(m.id)) continue;
      transport.addPeer(m.id, m.peerURLs);
      this.peerURLs.set(m.id, m.peerURLs);
    }
    this.syncPeers();
  }

  /** Starts ticking and the leader's duties; the transport must already be attached. */
  start(): void {
    this.timers.push(setInterval(() => this.onTick(), this.opts.heartbeatIntervalMs));
    this.timers.push(setInterval(() => this.maybeSync(), SYNC_INTERVAL_MS));
    this.timers.push(setInterval(() => this.maybePublish(), PUBLISH_RETRY_MS));
    this.schedule();
  }

  /** Resolves once this member has published its name and client URLs to the cluster (etcd serves clients after that). */
  ready(): Promise<void> {
    return this.publishedSignal.promise;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    this.commitHold.stop();
    for (const [, w] of this.waiters) w.reject(timeoutError("etcdserver: server stopped"));
    this.waiters.clear();
    this.reads.stop(timeoutError("etcdserver: server stopped"));
    await this.transport?.close();
    while (this.pumping) await Bun.sleep(1);
    await this.wal.close().catch(() => {});
  }

  // ---- inputs -------------------------------------------------------------------------------

  /** A Raft message from a peer (transport callback). */
  receive(msg: Message): void {
    if (this.stopped) return;
    this.traffic.received(msg);
    try {
      this.node.step(msg);
      if (msg.type === MessageType.Prop && this.node.raft.state === StateRole.Leader) this.commitHold.forwarded(msg.from, this.node.raft.raftLog.lastIndex());
    } catch (e) {
      this.log(`etcbun: dropped a raft message from ${msg.from}: ${(e as Error).message}`);
    }
    // Most acknowledgements of a second follower change nothing (the first one committed the
    // entry): no pass of the run loop for them. Proposals and reads schedule their own.
    if (this.node.hasReady()) this.schedule();
  }

  reportUnreachable(peerId: string): void {
    if (this.stopped) return;
    this.node.reportUnreachable(peerId);
  }

  reportSnapshot(peerId: string, ok: boolean): void {
    if (this.stopped) return;
    this.node.reportSnapshot(peerId, { failed: !ok });
    this.schedule();
  }

  private onTick(): void {
    if (this.stopped) return;
    this.node.tick();
    this.observeRaft();
    this.reads.tick();
    this.expireWaiters();
    // Proposals that found no leader wait here for one, until their own timeout.
    this.schedule();
  }

  private requestTimeoutMs(): number {
    return 5000 + 2 * this.opts.electionTimeoutMs;
  }

  /**
   * Proposals past their deadline fail, checked once a tick rather than with a timer each (a
   * timer per write was measurable at high rates). Deadlines are in insertion order, so the sweep
   * stops at the first one still in the future.
   */
  private expireWaiters(): void {
    const startedBy = performance.now() - this.requestTimeoutMs();
    for (const [id, w] of this.waiters) {
      if (w.startedMs > startedBy) break;
      this.waiters.delete(id);
      w.reject(w.conf ? new MembershipError(500, "Internal Server Error") : timeoutError(this.proposalTimeoutCause(w.startedMs)));
    }
  }

  propose(req: V2Request): Promise<ApplyResult> {
    if (this.stopped) return Promise.reject(timeoutError("etcdserver: server stopped"));
    const fail = this.wal.failure;
    if (fail) return Promise.reject(timeoutError(`etcdserver: ${fail.message}`));
    const id = this.reqPrefix + (this.reqSeq++).toString(36);
    let data: Uint8Array;
    try {
      data = encodeRequestEntry(id, req);
    } catch (e) {
      return Promise.reject(e);
    }
    return new Promise<ApplyResult>((resolve, reject) => {
      this.waiters.set(id, { resolve, reject, startedMs: performance.now() });
      this.pending.push(data);
      this.schedule();
    });
  }

  /**
   * etcd blames a leader failure only when a new leader was elected after the proposal started
   * and within two election timeouts of it; with no leader at all (quorum lost) the cause is the
   * plain "request timed out".
   */
  private proposalTimeoutCause(startedMs: number): string | undefined {
    const electedMs = this.leadElectedAtMs;
    if (startedMs > electedMs - 2 * this.opts.electionTimeoutMs && startedMs < electedMs) {
      return "etcdserver: request timed out, possibly due to previous leader failure";
    }
    return undefined;
  }

  readBarrier(): Promise<void> {
    if (this.stopped) return Promise.reject(timeoutError("etcdserver: server stopped"));
    const done = this.reads.barrier();
    this.schedule();
    return done;
  }

  // ---- the run loop -------------------------------------------------------------------------

  private schedule(): void {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    setImmediate(this.runPump);
  }

  // Bound once: the run loop's callbacks would otherwise be a new closure on every pass.
  private readonly runPump = (): void => void this.pump();
  private readonly onBackgroundSaveFailed = (e: unknown): void => this.diskFailed(e as Error);

  private async pump(): Promise<void> {
    try {
      do {
        this.pumpAgain = false;
        this.flushProposals();
        this.reads.flush();
        while (!this.stopped && this.node.hasReady()) {
          const rd = this.node.ready();
          await this.handleReady(rd);
          this.node.advance();
          this.flushProposals();
          this.reads.flush();
        }
      } while (this.pumpAgain && !this.stopped);
    } catch (e) {
      if (this.wal.failure) this.diskFailed(e as Error);
      else this.fatal(`etcbun: member stopped: ${(e as Error).message}`);
    } finally {
      this.pumping = false;
    }
    this.observeRaft();
  }

  private flushProposals(): void {
    if (this.pending.length === 0) return;
    if (this.node.raft.lead === "") return; // wait for a leader; the tick retries
    const batch = this.pending;
    this.pending = [];
    try {
      this.node.proposeBatch(batch);
    } catch (e) {
      if (!(e instanceof ProposalDroppedError)) throw e;
      // Not appended anywhere: safe to retry on the next tick, until the waiter times out.
      this.pending = batch.concat(this.pending);
    }
  }

  private async handleReady(rd: Ready): Promise<void> {
    // A leader may replicate while it writes its own disk (Raft thesis 10.2.1): its appends and
    // heartbeats acknowledge nothing, and a commit covering these entries can only leave in a
    // later Ready, which is handled after this one's fsync. Never while the term or vote is
    // still unpersisted: a leader of a term it could forget must not speak for it.
    const hs = this.storage.currentHardState();
    const sendEarly =
      this.node.raft.state === StateRole.Leader && !rd.snapshot && (!rd.hardState || (rd.hardState.term === hs.term && rd.hardState.vote === hs.vote));
    let late = rd.messages;
    if (sendEarly) {
      const early: Message[] = [];
      late = [];
      for (const m of rd.messages) (m.type === MessageType.App || m.type === MessageType.Heartbeat ? early : late).push(m);
      if (early.length > 0) this.send(early);
    }
    if (rd.snapshot) {
      await this.wal.saveSnapshot(rd.snapshot);
      this.storage.applySnapshot(rd.snapshot);
    }
    // On the leader, committed entries that are already durable here (below this Ready's new
    // entries) are applied, and their clients answered, while this Ready's own write is in flight:
    // a quorum holds them, this member included. Entries of this very Ready wait for its fsync (a
    // single member commits what it appends in the same Ready; answering first could lose the
    // write). A follower applies after its acknowledgement has left: the leader is waiting on
    // that acknowledgement, and a client of this member waiting on an older entry loses only the
    // time of the write.
    const firstNew = rd.snapshot || !sendEarly ? -1 : (rd.entries[0]?.index ?? Infinity);
    let applied = 0;
    if (rd.hardState || rd.entries.length > 0) {
      const saved = this.wal.save(rd.hardState, rd.entries, { sync: rd.mustSync });
      while (applied < rd.committedEntries.length && rd.committedEntries[applied]!.index < firstNew) this.applyEntry(rd.committedEntries[applied++]!);
      // Only the commit index moved: nothing waits on it, and the WAL writes in order, so the next
      // synced save covers it. A failure still stops the member's writes through diskFailed.
      if (rd.mustSync) await saved;
      else saved.catch(this.onBackgroundSaveFailed);
    }
    if (rd.hardState) this.storage.setHardState(rd.hardState);
    if (rd.entries.length > 0) this.storage.append(rd.entries);
    this.send(late);
    if (rd.snapshot) this.applySnapshot(rd.snapshot);
    for (; applied < rd.committedEntries.length; applied++) this.applyEntry(rd.committedEntries[applied]!);
    this.reads.answered(rd.readStates);
    this.reads.release(this.appliedIndex);
    this.maybeSnapshot();
  }

  private send(messages: Message[]): void {
    // Hold a commit-only append only while the leader has more in flight (entries not yet
    // committed, or proposals not yet appended): the next append will carry its commit. With
    // nothing in flight it leaves at once, as etcd sends it, so a follower read right after the
    // answer (python-etcd's test_reconnect then kills the leader) finds the write.
    const log = this.node.raft.raftLog;
    this.transmit(this.commitHold.filter(messages, log.lastIndex() > log.committed || this.pending.length > 0));
  }

  private transmit(messages: Message[]): void {
    if (messages.length === 0) return;
    this.traffic.sent(messages);
    this.transport?.send(messages);
  }

  private applySnapshot(snap: Snapshot): void {
    this.store.recover(snap.data);
    this.storage.releaseSnapshotData(snap.metadata.index);
    this.appliedIndex = snap.metadata.index;
    this.snapshotIndex = snap.metadata.index;
    this.confState = snap.metadata.confState;
    this.reloadMembership();
    this.emitRaft({ kind: "snapshot", index: snap.metadata.index, detail: `installed snapshot at ${snap.metadata.index} (${snap.data.length} bytes)` });
  }

  private applyEntry(e: Entry): void {
    if (e.index <= this.appliedIndex) return;
    this.appliedIndex = e.index;
    if (e.type === EntryType.ConfChange) return this.applyConfChange(e);
    if (e.data.length === 0) return; // a new leader's empty entry
    let logged;
    try {
      logged = decodeRequestEntry(e.data);
    } catch (err) {
      this.log(`etcbun: skipping undecodable entry ${e.index}: ${(err as Error).message}`);
      return;
    }
    const w = this.waiters.get(logged.id);
    let result: ApplyResult | undefined;
    let error: Error | undefined;
    try {
      result = this.store.apply(logged.req);
    } catch (err) {
      error = err as Error;
      if (!(err instanceof EtcdError)) this.log(`etcbun: apply of entry ${e.index} failed: ${error.message}`);
    }
    const path = (logged.req as { path?: unknown }).path;
    if (typeof path === "string" && path.startsWith("/0/")) this.reloadMembership();
    if (result) this.observers.storeEvent(result.event);
    if (w) {
      this.waiters.delete(logged.id);
      this.observers.commitApplied(performance.now() - w.startedMs);
      if (result) w.resolve(result);
      else w.reject(error!);
    }
  }

  private applyConfChange(e: Entry): void {
    const cc = decodeConfChange(e.data);
    const ctx = decodeConfContext(cc.context);
    this.confState = this.node.applyConfChange(cc);
    const applyQuiet = (req: V2Request) => {
      try {
        this.store.apply(req);
      } catch (err) {
        this.log(`etcbun: membership record for ${cc.nodeId}: ${(err as Error).message}`);
      }
    };
    switch (cc.type) {
      case ConfChangeType.AddNode:
      case ConfChangeType.AddLearnerNode:
      case ConfChangeType.UpdateNode:
        if (ctx) applyQuiet(raftAttributesRequest(cc.nodeId, ctx.member.peerURLs));
        break;
      case ConfChangeType.RemoveNode:
        for (const r of removeRequests(cc.nodeId)) applyQuiet(r);
        // Per-peer bookkeeping of a member that is gone for good (IDs are never reused).
        this.commitHold.forget(cc.nodeId);
        this.traffic.forget(cc.nodeId);
        break;
    }
    this.reloadMembership();
    this.emitRaft({ kind: CONF_CHANGE_EVENTS[cc.type]!, index: e.index, memberId: cc.nodeId, detail: `${CONF_CHANGE_NAMES[cc.type]} ${cc.nodeId}` });
    if (ctx?.reqId) {
      const w = this.waiters.get(ctx.reqId);
      if (w) {
        this.waiters.delete(ctx.reqId);
        w.resolve({ event: { action: "set" }, index: this.store.index });
      }
    }
    if (cc.type === ConfChangeType.RemoveNode && cc.nodeId === this.id) {
      this.fatal("etcbun: the member has been permanently removed from the cluster; the data-dir used by this member must be removed");
    }
  }

  private maybeSnapshot(): void {
    if (this.snapshotting || this.appliedIndex - this.snapshotIndex <= this.opts.snapshotCount) return;
    const index = this.appliedIndex;
    const confState = this.confState;
    // The content is fixed now (at `index`); large values are copied in over several turns so a
    // 100 MB store never holds the loop long enough to cost an election.
    const encoding = this.store.saveInSteps();
    this.snapshotting = true;
    const finish = () => {
      let snap: Snapshot;
      try {
        snap = this.storage.createSnapshot(index, { confState, data: encoding.bytes });
      } catch (e) {
        // A snapshot from the leader was installed meanwhile: ours is out of date, drop it.
        if (!(e instanceof SnapOutOfDateError)) this.log(`etcbun: snapshot at ${index} dropped: ${(e as Error).message}`);
        this.snapshotting = false;
        return;
      }
      this.wal
        .saveSnapshot(snap)
        .then(() => {
          this.snapshotIndex = Math.max(this.snapshotIndex, index);
          // On disk now: the bytes are read back from the file if a follower needs them.
          this.storage.releaseSnapshotData(index);
          const compactTo = index - SNAPSHOT_CATCH_UP_ENTRIES;
          if (compactTo > this.storage.firstIndex()) this.storage.compact(compactTo);
          this.emitRaft({ kind: "snapshot", index, detail: `snapshot at ${index} (${snap.data.length} bytes)` });
        })
        .catch((e) => this.log(`etcbun: snapshot at ${index} failed: ${(e as Error).message}`))
        .finally(() => {
          this.snapshotting = false;
        });
    };
    const step = () => {
      if (this.stopped) return void (this.snapshotting = false);
      if (encoding.fill(SNAPSHOT_FILL_STEP_BYTES)) finish();
      else setImmediate(step);
    };
    step();
  }

  /**
   * A failed write or fsync: nothing after it may be acknowledged, and what is on disk must stay
   * as it is. The Ready in hand is never advanced, so Raft stops; the member stays up to say why
   * (/health, the log) until it is restarted with a healthy disk.
   */
  private diskFailed(err: Error): void {
    if (this.diskFailedWith) return;
    this.diskFailedWith = err;
    this.log(`etcbun: ${err.message}; no longer accepting writes until restarted`);
    for (const t of this.timers.splice(0)) clearInterval(t);
    for (const [, w] of this.waiters) w.reject(timeoutError(`etcdserver: ${err.message}`));
    this.waiters.clear();
    this.pending = [];
  }

  private fatal(reason: string): void {
    if (this.stopped) return;
    this.log(reason);
    void this.stop().finally(() => this.opts.onFatal?.(reason));
  }

  // ---- leader duties ------------------------------------------------------------------------

  private isLeader(): boolean {
    return this.node.raft.state === StateRole.Leader;
  }

  /** Like etcd, the leader records the agreed cluster version under /0/version once. */
  private maybeSetClusterVersion(): void {
    if (this.clusterVersionSet || !this.isLeader()) return;
    try {
      this.store.get(CLUSTER_VERSION_PATH, { recursive: false, sorted: false, nowUs: 0 });
      this.clusterVersionSet = true;
      return;
    } catch {
      // Not recorded yet.
    }
    this.clusterVersionSet = true;
    this.propose(clusterVersionRequest()).catch(() => (this.clusterVersionSet = false));
  }

  private maybeSync(): void {
    if (this.stopped || !this.isLeader()) return;
    this.maybeSetClusterVersion();
    const next = this.store.nextExpiryUs();
    const now = this.nowUs();
    if (next === null || next > now) return;
    this.propose({ method: "SYNC", timeUs: now }).catch(() => {});
  }

  private maybePublish(): void {
    if (this.stopped || this.published || this.node.raft.lead === "") return;
    const me = this.memberList.find((m) => m.id === this.id);
    if (me && me.name === this.name && sameList(me.clientURLs, this.opts.clientURLs)) {
      this.published = true;
      this.publishedSignal.resolve();
      return;
    }
    this.propose(attributesRequest(this.id, { name: this.name, clientURLs: this.opts.clientURLs }))
      .then(() => {
        this.published = true;
        this.publishedSignal.resolve();
        this.log(`etcbun: published {name:${this.name} clientURLs:[${this.opts.clientURLs.join(" ")}]} to cluster ${this.clusterId}`);
      })
      .catch(() => {});
  }

  // ---- membership ---------------------------------------------------------------------------

  private reloadMembership(): void {
    const { members, removed } = readMembership(this.store);
    this.memberList = members;
    this.removed = removed;
    this.syncPeers();
  }

  private syncPeers(): void {
    const t = this.transport;
    if (!t) return;
    const want = new Map(this.memberList.filter((m) => m.id !== this.id).map((m) => [m.id, m.peerURLs]));
    for (const [id, urls] of want) {
      const known = this.peerURLs.get(id);
      if (known === undefined) t.addPeer(id, urls);
      else if (!sameList(known, urls)) t.updatePeer(id, urls);
      this.peerURLs.set(id, urls);
    }
    // No members at all means the log has not told us the membership yet: keep the seeds. A list
    // holding only this member is a cluster shrunk to one: drop every stream.
    for (const id of this.memberList.length === 0 ? [] : [...this.peerURLs.keys()]) {
      if (want.has(id)) continue;
      t.removePeer(id);
      this.peerURLs.delete(id);
    }
  }

  isRemoved(id: string): boolean {
    return this.removed.has(id);
  }

  members(): MemberJSON[] {
    return this.memberList.map((m) => ({ ...m }));
  }

  leader(): MemberJSON | null {
    const lead = this.node.raft.lead;
    if (lead === "") return null;
    return this.memberList.find((m) => m.id === lead) ?? null;
  }

  private proposeConf(type: ConfChangeType, member: { id: string; name: string; peerURLs: string[] }): Promise<void> {
    const reqId = this.reqPrefix + "c" + (this.reqSeq++).toString(36);
    return new Promise<void>((resolve, reject) => {
      this.waiters.set(reqId, { resolve: () => resolve(), reject, startedMs: performance.now(), conf: true });
      try {
        this.node.proposeConfChange({ type, nodeId: member.id, context: encodeConfContext({ reqId, member }) });
      } catch (e) {
        this.waiters.delete(reqId);
        reject(e instanceof ProposalDroppedError ? new MembershipError(500, "Internal Server Error") : e);
        return;
      }
      this.schedule();
    });
  }

  private peerURLTaken(peerURLs: string[], exceptId?: string): boolean {
    const taken = new Set(this.memberList.filter((m) => m.id !== exceptId).flatMap((m) => m.peerURLs));
    return peerURLs.some((u) => taken.has(u));
  }

  /**
   * --strict-reconfig-check, before anything else as in etcd (whose 409/404/410 come from the
   * apply): a refused change is a bare 500 to the client, so the reason goes to the log.
   */
  private strictReconfigCheck(refusal: (view: ReconfigView) => ReconfigRefusal | null, what: string): void {
    if (!this.opts.strictReconfigCheck) return;
    const reason = refusal({
      selfId: this.id,
      voters: this.memberList.filter((m) => !this.confState.learners.includes(m.id)).map((m) => ({ id: m.id, started: m.name !== "" || m.id === this.id })),
      activeSinceMs: (id) => this.transport?.activeSinceMs(id) ?? null,
      // The transport stamps its streams with this same clock (see start.ts).
      nowMs: this.nowUs() / 1000,
    });
    if (reason === null) return;
    this.log(`etcbun: rejecting ${what}: ${reason}`);
    throw new MembershipError(500, "Internal Server Error");
  }

  async addMember(peerURLs: string[]): Promise<MemberJSON> {
    const id = computeMemberId(peerURLs, String(Math.floor(Date.now() / 1000)));
    this.strictReconfigCheck(addRefusal, `member add ${id} ${JSON.stringify(peerURLs)}`);
    if (this.peerURLTaken(peerURLs)) throw new MembershipError(409, "membership: peerURL exists");
    if (this.memberList.some((m) => m.id === id) || this.removed.has(id)) throw new MembershipError(409, "membership: ID exists");
    await this.proposeConf(ConfChangeType.AddNode, { id, name: "", peerURLs });
    return { id, name: "", peerURLs, clientURLs: [] };
  }

  async removeMember(id: string): Promise<void> {
    this.strictReconfigCheck((view) => removeRefusal(view, id), `member remove ${id}`);
    if (this.removed.has(id)) throw new MembershipError(410, `Member permanently removed: ${id}`);
    const m = this.memberList.find((x) => x.id === id);
    if (!m) throw new MembershipError(404, `No such member: ${id}`);
    await this.proposeConf(ConfChangeType.RemoveNode, { id, name: m.name, peerURLs: m.peerURLs });
  }

  async updateMember(id: string, peerURLs: string[]): Promise<void> {
    const m = this.memberList.find((x) => x.id === id);
    if (!m) throw new MembershipError(404, `No such member: ${id}`);
    if (this.peerURLTaken(peerURLs, id)) throw new MembershipError(409, "membership: peerURL exists");
    await this.proposeConf(ConfChangeType.UpdateNode, { id, name: m.name, peerURLs });
  }

  // ---- stats, health, introspection ---------------------------------------------------------

  raftIndex(): number {
    return this.node.raft.raftLog.committed;
  }

  walSyncCount(): number {
    return this.wal.syncCount;
  }

  raftTerm(): number {
    return this.node.raft.term;
  }

  private observeRaft(): void {
    // Called after every pump: read the few fields directly rather than building a status().
    const st = { term: this.node.raft.term, lead: this.node.raft.lead, role: this.node.raft.state };
    if (st.term !== this.lastTerm) {
      if (st.term > this.lastTerm && this.lastTerm !== 0) this.emitRaft({ kind: "election", detail: st.role === StateRole.Leader ? "won the election" : "an election started" });
      this.lastTerm = st.term;
    }
    if (st.lead !== this.lastLead) {
      this.lastLead = st.lead;
      this.leaderSinceMs = Date.now();
      this.emitRaft({ kind: "leader-change", detail: st.lead === "" ? "leader lost" : `leader ${st.lead}` });
      if (st.lead !== "") {
        this.leadElectedAtMs = performance.now();
        this.reads.askAgain();
        this.schedule();
        this.maybePublish();
        this.maybeSetClusterVersion();
      }
    }
    // A lone voter need not wait a whole election timeout to lead.
    if (!this.campaignedAlone && st.lead === "" && this.confState.voters.length === 1 && this.confState.voters[0] === this.id) {
      this.campaignedAlone = true;
      this.node.campaign();
      this.schedule();
    }
  }

  private emitRaft(fields: RaftEventFields): void {
    this.observers.raftEvent(fields, () => this.node.basicStatus());
  }

  selfStats(): SelfStats {
    const st = this.node.status();
    const now = Date.now();
    return {
      name: this.name,
      id: this.id,
      state: st.role === StateRole.PreCandidate ? StateRole.Candidate : st.role,
      startTime: rfc3339(this.startTimeMs),
      leaderInfo: { leader: st.lead, uptime: goDuration(now - this.leaderSinceMs), startTime: rfc3339(this.leaderSinceMs) },
      ...this.traffic.selfJSON(),
    };
  }

  leaderStats(): LeaderStats | null {
    if (!this.isLeader()) return null;
    const followers: LeaderStats["followers"] = {};
    for (const m of this.memberList) if (m.id !== this.id) followers[m.id] = this.traffic.follower(m.id).toJSON();
    return { leader: this.id, followers };
  }

  async health(): Promise<boolean> {
    if (this.stopped || this.wal.failure || this.node.raft.lead === "") return false;
    try {
      await Promise.race([this.readBarrier(), Bun.sleep(Math.max(1000, this.opts.electionTimeoutMs)).then(() => Promise.reject(new Error("timeout")))]);
      return true;
    } catch {
      return false;
    }
  }

  /** Why the member cannot accept writes, for /health and logs; null when it can. */
  diskFailure(): string | null {
    return this.wal.failure?.message ?? null;
  }

  introspect(): MemberIntrospection {
    return {
      role: () => {
        const r = this.node.raft.state;
        return r === StateRole.Leader ? "leader" : r === StateRole.Candidate ? "candidate" : r === StateRole.PreCandidate ? "pre-candidate" : "follower";
      },
      appliedIndex: () => this.appliedIndex,
      progress: () => {
        const st = this.node.status();
        if (st.role !== StateRole.Leader) return null;
        return peerProgress(st.progress, { selfId: this.id, streams: this.transport?.stats() ?? [] });
      },
      logEntries: (afterIndex, { limit }) => this.logEntries(afterIndex, limit),
      onRaftEvent: (l) => this.observers.onRaftEvent(l),
      onStoreEvent: (l) => this.observers.onStoreEvent(l),
      commitLatencyMs: () => this.observers.commitLatencyMs(),
    };
  }

  private logEntries(afterIndex: number, limit: number): LogEntrySummary[] {
    const first = this.storage.firstIndex();
    const last = this.storage.lastIndex();
    const lo = Math.max(first, afterIndex + 1, last - limit + 1);
    if (lo > last) return [];
    return this.storage.entries(lo, last + 1).map(summarizeEntry);
  }
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

