// The Raft state machine: state, role transitions, and the term rules applied to every message
// before it is dispatched to the role's step function. Pure: no I/O, no timers, no clock; time
// is tick() and election jitter comes from the injected Rng.
import { InvariantError, ProposalDroppedError, invariant } from "./errors.ts";
import { CAMPAIGN_TRANSFER, isTransferContext, makeMessage, voteResponseType } from "./message.ts";
import { Progress } from "./progress.ts";
import { VoteResult, committedIndex, voteResult } from "./quorum.ts";
import { RaftLog } from "./raft_log.ts";
import { ReadOnly } from "./read_only.ts";
import type { Rng } from "./rng.ts";
import { type Storage, isEmptyHardState } from "./storage.ts";
import { stepCandidate } from "./step_candidate.ts";
import { stepFollower } from "./step_follower.ts";
import { stepLeader } from "./step_leader.ts";
import {
  type ConfState,
  type Entry,
  type HardState,
  type Message,
  type NodeId,
  type ReadState,
  type SoftState,
  EntryType,
  MessageType,
  NONE,
  StateRole,
} from "./types.ts";

export interface RaftConfig {
  id: NodeId;
  storage: Storage;
  /** Followers wait between this and twice this many ticks without a leader before campaigning. */
  electionTimeoutTicks: number;
  heartbeatIntervalTicks: number;
  rng: Rng;
  /** The index the application has already applied (on restart: its snapshot's index). */
  applied?: number;
  maxSizePerMsgBytes?: number;
  maxInflightMsgs?: number;
  maxCommittedBytesPerReady?: number;
  /** Payload bytes a leader may hold appended but uncommitted; proposals beyond are dropped. */
  maxUncommittedEntriesBytes?: number;
  /** Reads waiting for a quorum heartbeat or for the new leader's first commit. */
  maxPendingReads?: number;
  checkQuorum?: boolean;
  preVote?: boolean;
  disableProposalForwarding?: boolean;
}

export const enum CampaignKind {
  PreElection = "CampaignPreElection",
  Election = "CampaignElection",
  Transfer = "CampaignTransfer",
}

export type StepFn = (r: Raft, m: Message) => void;

export class Raft {
  readonly id: NodeId;
  term = 0;
  vote: NodeId = NONE;
  lead: NodeId = NONE;
  state: StateRole = StateRole.Follower;
  readonly raftLog: RaftLog;

  readonly voters = new Set<NodeId>();
  readonly learners = new Set<NodeId>();
  readonly prs = new Map<NodeId, Progress>();
  isLearner = false;
  votes = new Map<NodeId, boolean>();

  msgs: Message[] = [];
  readStates: ReadState[] = [];
  leadTransferee: NodeId = NONE;
  /** No new conf change may be proposed until this index is applied. */
  pendingConfIndex = 0;
  readOnly: ReadOnly;
  /** Reads that arrived before this leader committed an entry of its own term. */
  pendingReadIndexMessages: Message[] = [];

  electionElapsed = 0;
  heartbeatElapsed = 0;
  randomizedElectionTimeout = 0;
  readonly electionTimeout: number;
  readonly heartbeatTimeout: number;
  readonly maxMsgSize: number;
  readonly maxInflight: number;
  readonly maxPendingReads: number;
  readonly maxUncommittedSize: number;
  /** Payload bytes this leader appended that are not yet applied (the proposal backlog). */
  uncommittedSize = 0;
  readonly checkQuorum: boolean;
  readonly preVote: boolean;
  readonly disableProposalForwarding: boolean;
  private readonly rng: Rng;

  stepFn: StepFn = stepFollower;
  private tickFn: () => void = () => this.tickElection();

  constructor(config: RaftConfig) {
    invariant(config.id !== NONE, "cannot use none as id");
    invariant(config.heartbeatIntervalTicks > 0, "heartbeat tick must be greater than 0");
    invariant(config.electionTimeoutTicks > config.heartbeatIntervalTicks, "election tick must be greater than heartbeat tick");
    this.id = config.id;
    this.electionTimeout = config.electionTimeoutTicks;
    this.heartbeatTimeout = config.heartbeatIntervalTicks;
    this.maxMsgSize = config.maxSizePerMsgBytes ?? 1024 * 1024;
    this.maxInflight = config.maxInflightMsgs ?? 256;
    this.maxPendingReads = config.maxPendingReads ?? 4096;
    this.maxUncommittedSize = config.maxUncommittedEntriesBytes ?? 256 * 1024 * 1024;
    this.checkQuorum = config.checkQuorum ?? true;
    this.preVote = config.preVote ?? true;
    this.disableProposalForwarding = config.disableProposalForwarding ?? false;
    this.rng = config.rng;
    this.readOnly = new ReadOnly(this.maxPendingReads);
    this.raftLog = new RaftLog(config.storage, config.maxCommittedBytesPerReady ?? 64 * 1024 * 1024);

    const { hardState, confState } = config.storage.initialState();
    this.setConfState(confState);
    if (!isEmptyHardState(hardState)) this.loadState(hardState);
    if (config.applied !== undefined && config.applied > 0) this.raftLog.appliedTo(config.applied);
    this.becomeFollower(this.term, NONE);
  }

  private loadState(hs: HardState): void {
    invariant(
      hs.commit >= this.raftLog.committed && hs.commit <= this.raftLog.lastIndex(),
      () => `${this.id} state.commit ${hs.commit} is out of range [${this.raftLog.committed}, ${this.raftLog.lastIndex()}]`,
    );
    this.raftLog.committed = hs.commit;
    this.term = hs.term;
    this.vote = hs.vote;
  }

  hardState(): HardState {
    return { term: this.term, vote: this.vote, commit: this.raftLog.committed };
  }

  softState(): SoftState {
    return { lead: this.lead, role: this.state };
  }

  confState(): ConfState {
    return { voters: [...this.voters], learners: [...this.learners] };
  }

  /** Replaces the configuration wholesale (boot and snapshot restore). */
  setConfState(cs: ConfState): void {
    this.voters.clear();
    this.learners.clear();
    this.prs.clear();
    for (const id of cs.voters) this.voters.add(id);
    for (const id of cs.learners) if (!this.voters.has(id)) this.learners.add(id);
    for (const id of this.voters) this.prs.set(id, this.newProgress(false));
    for (const id of this.learners) this.prs.set(id, this.newProgress(true));
    const self = this.prs.get(this.id);
    if (self) self.match = this.raftLog.lastIndex();
    this.isLearner = this.learners.has(this.id);
  }

  newProgress(isLearner: boolean): Progress {
    return new Progress({ next: this.raftLog.lastIndex() + 1, maxInflightMsgs: this.maxInflight, isLearner });
  }

  // ---- messages out ----

  send(m: Message): void {
    // A forwarded proposal or transfer request keeps its origin (for a transfer: the transferee).
    if (m.from === NONE) m.from = this.id;
    const t = m.type;
    if (t === MessageType.Vote || t === MessageType.VoteResp || t === MessageType.PreVote || t === MessageType.PreVoteResp) {
      // The term of a (pre)vote is the campaign's, which for a pre-vote is not ours yet.
      if (m.term === 0) invariant(false, () => `term should be set when sending ${t}`);
    } else {
      if (m.term !== 0) invariant(false, () => `term should not be set when sending ${t} (was ${m.term})`);
      // Proposals and read requests are forwarded as-is: they carry no term.
      if (t !== MessageType.Prop && t !== MessageType.ReadIndex) m.term = this.term;
    }
    this.msgs.push(m);
  }

  // ---- time ----

  tick(): void {
    this.tickFn();
  }

  private tickElection(): void {
    this.electionElapsed++;
    if (this.promotable() && this.electionElapsed >= this.randomizedElectionTimeout) {
      this.electionElapsed = 0;
      this.step(makeMessage({ type: MessageType.Hup, from: this.id }));
    }
  }

  private tickHeartbeat(): void {
    this.heartbeatElapsed++;
    this.electionElapsed++;
    if (this.electionElapsed >= this.electionTimeout) {
      this.electionElapsed = 0;
      if (this.checkQuorum) this.step(makeMessage({ type: MessageType.CheckQuorum, from: this.id }));
      // A transfer that did not finish within an election timeout is abandoned.
      if (this.state === StateRole.Leader && this.leadTransferee !== NONE) this.abortLeaderTransfer();
    }
    if (this.state !== StateRole.Leader) return;
    if (this.heartbeatElapsed >= this.heartbeatTimeout) {
      this.heartbeatElapsed = 0;
      this.step(makeMessage({ type: MessageType.Beat, from: this.id }));
    }
  }

  private resetRandomizedElectionTimeout(): void {
    this.randomizedElectionTimeout = this.electionTimeout + this.rng.intBelow(this.electionTimeout);
  }

  // ---- roles ----

  private reset(term: number): void {
    if (this.term !== term) {
      this.term = term;
      this.vote = NONE;
    }
    this.lead = NONE;
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.resetRandomizedElectionTimeout();
    this.abortLeaderTransfer();
    this.votes = new Map();
    for (const [id, pr] of this.prs) {
      const fresh = this.newProgress(pr.isLearner);
      if (id === this.id) fresh.match = this.raftLog.lastIndex();
      this.prs.set(id, fresh);
    }
    this.pendingConfIndex = 0;
    this.uncommittedSize = 0;
    this.readOnly = new ReadOnly(this.maxPendingReads);
    this.pendingReadIndexMessages = [];
  }

  becomeFollower(term: number, lead: NodeId): void {
    this.stepFn = stepFollower;
    this.reset(term);
    this.tickFn = () => this.tickElection();
    this.lead = lead;
    this.state = StateRole.Follower;
  }

  becomeCandidate(): void {
    invariant(this.state !== StateRole.Leader, "invalid transition [leader -> candidate]");
    this.stepFn = stepCandidate;
    this.reset(this.term + 1);
    this.tickFn = () => this.tickElection();
    this.vote = this.id;
    this.state = StateRole.Candidate;
  }

  becomePreCandidate(): void {
    invariant(this.state !== StateRole.Leader, "invalid transition [leader -> pre-candidate]");
    // A pre-candidate changes neither term nor vote: that is the point of pre-vote.
    this.stepFn = stepCandidate;
    this.votes = new Map();
    this.tickFn = () => this.tickElection();
    this.lead = NONE;
    this.state = StateRole.PreCandidate;
  }

  becomeLeader(): void {
    invariant(this.state !== StateRole.Follower, "invalid transition [follower -> leader]");
    this.stepFn = stepLeader;
    this.reset(this.term);
    this.tickFn = () => this.tickHeartbeat();
    this.lead = this.id;
    this.state = StateRole.Leader;
    const self = this.prs.get(this.id);
    if (self) {
      self.becomeReplicate();
      self.recentActive = true;
    }
    // Conservatively assume the tail of the log may hold an unapplied conf change.
    this.pendingConfIndex = this.raftLog.lastIndex();
    // The no-op of our term: committing it commits everything before it (§5.4.2) and lets
    // ReadIndex start answering.
    this.appendEntries([{ term: 0, index: 0, type: EntryType.Normal, data: new Uint8Array(0) }]);
  }

  /** Can this node campaign: it is a voter and not waiting for a snapshot to be applied. */
  promotable(): boolean {
    return this.voters.has(this.id) && this.raftLog.unstable.snapshot === undefined;
  }

  hup(kind: CampaignKind): void {
    if (this.state === StateRole.Leader) return;
    if (!this.promotable()) return;
    // A committed but unapplied conf change may remove us or change the quorum: wait for it.
    if (this.hasUnappliedConfChange()) return;
    this.campaign(kind);
  }

  private hasUnappliedConfChange(): boolean {
    const log = this.raftLog;
    if (log.committed <= log.applied) return false;
    let ents: Entry[];
    try {
      ents = log.slice(Math.max(log.applied + 1, log.firstIndex()), log.committed + 1);
    } catch {
      return false;
    }
    return ents.some((e) => e.type === EntryType.ConfChange);
  }

  campaign(kind: CampaignKind): void {
    let term: number;
    let voteType: MessageType;
    if (kind === CampaignKind.PreElection) {
      this.becomePreCandidate();
      voteType = MessageType.PreVote;
      term = this.term + 1; // the term we would campaign in, without moving to it yet
    } else {
      this.becomeCandidate();
      voteType = MessageType.Vote;
      term = this.term;
    }
    if (this.poll(this.id, true) === VoteResult.Won) {
      // A single-voter cluster wins on its own vote.
      if (kind === CampaignKind.PreElection) this.campaign(CampaignKind.Election);
      else this.becomeLeader();
      return;
    }
    const lastIndex = this.raftLog.lastIndex();
    const lastTerm = this.raftLog.lastTerm();
    for (const id of this.voters) {
      if (id === this.id) continue;
      this.send(
        makeMessage({
          type: voteType,
          to: id,
          term,
          index: lastIndex,
          logTerm: lastTerm,
          context: kind === CampaignKind.Transfer ? CAMPAIGN_TRANSFER : undefined,
        }),
      );
    }
  }

  poll(id: NodeId, granted: boolean): VoteResult {
    if (!this.votes.has(id)) this.votes.set(id, granted);
    return voteResult(this.voters, this.votes);
  }

  // ---- log ----

  /** Leader only: stamps `ents` with our term and the next indexes, and appends them. */
  appendEntries(ents: Entry[]): void {
    const first = this.raftLog.lastIndex() + 1;
    for (let i = 0; i < ents.length; i++) {
      const e = ents[i]!;
      e.term = this.term;
      e.index = first + i;
    }
    const last = this.raftLog.append(ents);
    // Our own ack: the entries are durable before any message of the same Ready leaves, and a
    // commit they enable is only applied after that Ready is persisted.
    this.prs.get(this.id)?.maybeUpdate(last);
    this.maybeCommit();
  }

  /** Admits a proposal into the backlog unless it would exceed its bound (one is always admitted). */
  increaseUncommittedSize(ents: Entry[]): boolean {
    let size = 0;
    for (const e of ents) size += e.data.byteLength;
    if (this.uncommittedSize > 0 && size > 0 && this.uncommittedSize + size > this.maxUncommittedSize) return false;
    this.uncommittedSize += size;
    return true;
  }

  reduceUncommittedSize(ents: Entry[]): void {
    if (this.state !== StateRole.Leader || this.uncommittedSize === 0) return;
    let size = 0;
    for (const e of ents) size += e.data.byteLength;
    // Entries from before our term were never counted: clamp instead of going negative.
    this.uncommittedSize = Math.max(0, this.uncommittedSize - size);
  }

  // Bound once: maybeCommit runs on every append acknowledgement.
  private readonly matchOf = (id: NodeId): number => this.prs.get(id)?.match ?? 0;

  maybeCommit(): boolean {
    const mci = committedIndex(this.voters, this.matchOf);
    return this.raftLog.maybeCommit(mci, this.term);
  }

  committedEntryInCurrentTerm(): boolean {
    return this.raftLog.termOrZero(this.raftLog.committed) === this.term;
  }

  abortLeaderTransfer(): void {
    this.leadTransferee = NONE;
  }

  // ---- the one entry point for messages ----

  step(m: Message): void {
    if (m.term === 0) {
      // local message, or a forwarded proposal / read request
    } else if (m.term > this.term) {
      if (m.type === MessageType.Vote || m.type === MessageType.PreVote) {
        const force = isTransferContext(m.context);
        const inLease = this.checkQuorum && this.lead !== NONE && this.electionElapsed < this.electionTimeout;
        // We heard from a live leader within the minimum election timeout: ignore the
        // disruptive candidate (it is probably partitioned and rejoining).
        if (!force && inLease) return;
      }
      if (m.type === MessageType.PreVote) {
        // Never change term in response to a pre-vote.
      } else if (m.type === MessageType.PreVoteResp && !m.reject) {
        // A granted pre-vote carries the future term; we move to it only once we win.
      } else if (m.type === MessageType.App || m.type === MessageType.Heartbeat || m.type === MessageType.Snap) {
        this.becomeFollower(m.term, m.from);
      } else {
        this.becomeFollower(m.term, NONE);
      }
    } else if (m.term < this.term) {
      if ((this.checkQuorum || this.preVote) && (m.type === MessageType.Heartbeat || m.type === MessageType.App)) {
        // A stale leader (e.g. rejoining after a partition) learns our term and steps down;
        // without this, pre-vote could leave it and us deadlocked.
        this.send(makeMessage({ type: MessageType.AppResp, to: m.from }));
      } else if (m.type === MessageType.PreVote) {
        this.send(makeMessage({ type: MessageType.PreVoteResp, to: m.from, term: this.term, reject: true }));
      }
      return;
    }

    switch (m.type) {
      case MessageType.Hup:
        this.hup(this.preVote ? CampaignKind.PreElection : CampaignKind.Election);
        return;
      case MessageType.Vote:
      case MessageType.PreVote: {
        const canVote =
          this.vote === m.from ||
          (this.vote === NONE && this.lead === NONE) ||
          (m.type === MessageType.PreVote && m.term > this.term);
        if (canVote && this.raftLog.isUpToDate(m.index, m.logTerm)) {
          // A pre-vote answer carries the candidate's future term so it can count it.
          this.send(makeMessage({ type: voteResponseType(m.type), to: m.from, term: m.term }));
          if (m.type === MessageType.Vote) {
            this.electionElapsed = 0;
            this.vote = m.from;
          }
        } else {
          this.send(makeMessage({ type: voteResponseType(m.type), to: m.from, term: this.term, reject: true }));
        }
        return;
      }
      default:
        this.stepFn(this, m);
    }
  }

  /** Answers a confirmed read: locally as a ReadState, or to the follower that asked. */
  respondToRead(request: Message, index: number): void {
    if (request.from === NONE || request.from === this.id) {
      this.readStates.push({ index, requestCtx: request.context ?? new Uint8Array(0) });
    } else {
      this.send(makeMessage({ type: MessageType.ReadIndexResp, to: request.from, index, context: request.context }));
    }
  }

  assertInvariants(): void {
    const log = this.raftLog;
    if (!(log.applied <= log.committed && log.committed <= log.lastIndex())) {
      throw new InvariantError(`${this.id}: applied ${log.applied} <= committed ${log.committed} <= last ${log.lastIndex()} broken`);
    }
    if (this.state === StateRole.Leader && this.lead !== this.id) throw new InvariantError(`${this.id}: leader without lead=self`);
  }

  dropProposal(reason: string): never {
    throw new ProposalDroppedError(reason);
  }
}
