// The application's handle on Raft: feed it inputs, then drain Ready batches. Not thread-safe
// and not async: the caller's run loop owns it.
import { InvariantError, ProposalDroppedError, invariant } from "./errors.ts";
import { encodeConfChange } from "./conf_change_codec.ts";
import { applyConfChange } from "./conf_change.ts";
import { isLocalMessage, isResponseMessage, makeMessage } from "./message.ts";
import { Raft, type RaftConfig } from "./raft.ts";
import { sameHardState } from "./storage.ts";
import { type BasicStatus, type RaftStatus, basicStatus, raftStatus } from "./status.ts";
import {
  type ConfChange,
  type ConfState,
  type Entry,
  type HardState,
  type Message,
  type NodeId,
  type Ready,
  type SoftState,
  EntryType,
  MessageType,
} from "./types.ts";

export class RawNode {
  readonly raft: Raft;
  private prevSoftState: SoftState;
  private prevHardState: HardState;
  private outstanding: Ready | undefined;

  constructor(config: RaftConfig) {
    this.raft = new Raft(config);
    this.prevSoftState = this.raft.softState();
    this.prevHardState = this.raft.hardState();
  }

  tick(): void {
    this.raft.tick();
  }

  /** Starts an election now (pre-vote first when enabled). */
  campaign(): void {
    this.raft.step(makeMessage({ type: MessageType.Hup }));
  }

  /** Throws ProposalDroppedError when the proposal cannot be accepted (e.g. no leader). */
  propose(data: Uint8Array): void {
    this.proposeBatch([data]);
  }

  /** Many proposals in one message: one append, one broadcast. */
  proposeBatch(datas: readonly Uint8Array[]): void {
    const entries: Entry[] = new Array(datas.length);
    for (let i = 0; i < datas.length; i++) entries[i] = { term: 0, index: 0, type: EntryType.Normal, data: datas[i]! };
    this.raft.step(makeMessage({ type: MessageType.Prop, from: this.raft.id, entries }));
  }

  proposeConfChange(cc: ConfChange): void {
    const entry: Entry = { term: 0, index: 0, type: EntryType.ConfChange, data: encodeConfChange(cc) };
    this.raft.step(makeMessage({ type: MessageType.Prop, from: this.raft.id, entries: [entry] }));
  }

  /** Call after applying a committed ConfChange entry; returns the configuration now in force. */
  applyConfChange(cc: ConfChange): ConfState {
    return applyConfChange(this.raft, cc);
  }

  /**
   * Asks for a linearizable read point. The answer arrives as a ReadState with the same
   * context in a later Ready; serve the read once applied >= its index. The context must be
   * non-empty and unique across the cluster (prefix it with the member ID): the leader
   * ignores a context it already has pending, so a retry of a pending read is harmless.
   */
  readIndex(requestContext: Uint8Array): void {
    invariant(requestContext.length > 0, "read index needs a non-empty request context");
    this.raft.step(makeMessage({ type: MessageType.ReadIndex, context: requestContext }));
  }

  transferLeadership(to: NodeId): void {
    this.raft.step(makeMessage({ type: MessageType.TransferLeader, from: to }));
  }

  /** Feeds a message from a peer. Stale or misdirected messages are ignored, never thrown. */
  step(m: Message): void {
    if (isLocalMessage(m.type)) throw new InvariantError(`cannot step raft local message ${m.type}`);
    if (isResponseMessage(m.type) && !this.raft.prs.has(m.from)) return;
    try {
      this.raft.step(m);
    } catch (e) {
      // A proposal forwarded to us while we have no leader: the proposer times out and retries.
      if (e instanceof ProposalDroppedError) return;
      throw e;
    }
  }

  reportUnreachable(id: NodeId): void {
    this.raft.step(makeMessage({ type: MessageType.Unreachable, from: id }));
  }

  reportSnapshot(id: NodeId, options: { failed: boolean }): void {
    this.raft.step(makeMessage({ type: MessageType.SnapStatus, from: id, reject: options.failed }));
  }

  /** Everything, with per-follower progress on the leader (for the dashboard and stats). */
  status(): RaftStatus {
    return raftStatus(this.raft);
  }

  /** Term, vote, commit, applied, lead and role only: cheap enough for every request. */
  basicStatus(): BasicStatus {
    return basicStatus(this.raft);
  }

  hasReady(): boolean {
    if (this.outstanding) return false;
    const r = this.raft;
    // Asked several times per write: the fields are compared where they are, without building states.
    const soft = this.prevSoftState;
    if (r.lead !== soft.lead || r.state !== soft.role) return true;
    const hard = this.prevHardState;
    const commit = r.raftLog.committed;
    if (!(r.term === 0 && r.vote === "" && commit === 0) && (r.term !== hard.term || r.vote !== hard.vote || commit !== hard.commit)) return true;
    if (r.raftLog.unstable.snapshot) return true;
    if (r.msgs.length > 0 || r.readStates.length > 0 || r.raftLog.unstable.entries.length > 0) return true;
    return r.raftLog.hasNextCommittedEntries();
  }

  /**
   * Takes the next batch. Its messages may depend on its entries and hard state being durable
   * (a vote, an append acknowledgement): persist first, then send, then apply, then advance().
   */
  ready(): Ready {
    invariant(this.outstanding === undefined, "ready() called again before advance()");
    const r = this.raft;
    r.assertInvariants();
    const rd: Ready = {
      entries: r.raftLog.unstableEntries(),
      committedEntries: r.raftLog.nextCommittedEntries(),
      messages: r.msgs,
      readStates: r.readStates,
      mustSync: false,
    };
    r.msgs = [];
    r.readStates = [];
    const soft = r.softState();
    if (soft.lead !== this.prevSoftState.lead || soft.role !== this.prevSoftState.role) {
      rd.softState = soft;
      this.prevSoftState = soft;
    }
    const hard = r.hardState();
    const prevHard = this.prevHardState;
    if (!sameHardState(hard, prevHard)) {
      rd.hardState = hard;
      this.prevHardState = hard;
    }
    const snap = r.raftLog.unstable.snapshot;
    if (snap) rd.snapshot = snap;
    // Commit alone may be lost in a crash (it is re-learned); term, vote and entries may not.
    rd.mustSync = rd.entries.length > 0 || rd.snapshot !== undefined || hard.term !== prevHard.term || hard.vote !== prevHard.vote;
    this.outstanding = rd;
    return rd;
  }

  /** The caller has persisted, sent and applied everything in the last Ready. */
  advance(): void {
    const rd = this.outstanding;
    invariant(rd !== undefined, "advance() without a ready()");
    this.outstanding = undefined;
    const log = this.raft.raftLog;
    if (rd.snapshot) {
      log.stableSnapTo(rd.snapshot.metadata.index);
      if (rd.snapshot.metadata.index > log.applied) log.appliedTo(rd.snapshot.metadata.index);
    }
    if (rd.entries.length > 0) {
      const last = rd.entries[rd.entries.length - 1]!;
      log.stableTo(last.index, last.term);
    }
    if (rd.committedEntries.length > 0) {
      log.appliedTo(rd.committedEntries[rd.committedEntries.length - 1]!.index);
      this.raft.reduceUncommittedSize(rd.committedEntries);
    }
  }
}
