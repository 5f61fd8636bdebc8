// The data Raft speaks: log entries, hard state, snapshots, messages and the Ready batch.
// These shapes are shared by raft/ (produces them), wal/ (persists them) and peer/ (ships
// messages). Fields may be added; renaming one breaks the WAL and the peer wire format.

/** A member ID: lower-case hex without padding, as etcd prints uint64 IDs. "" means none. */
export type NodeId = string;
export const NONE: NodeId = "";

export const enum EntryType {
  Normal = 0,
  ConfChange = 1,
}

export interface Entry {
  term: number;
  index: number;
  type: EntryType;
  /** Opaque payload: an encoded store request, an encoded ConfChange, or empty (leader no-op). */
  data: Uint8Array;
}

export interface HardState {
  term: number;
  vote: NodeId;
  commit: number;
}

export interface ConfState {
  voters: NodeId[];
  learners: NodeId[];
}

export interface SnapshotMetadata {
  index: number;
  term: number;
  confState: ConfState;
}

export interface Snapshot {
  metadata: SnapshotMetadata;
  /** The serialized state machine (the v2 store plus membership), opaque to Raft. */
  data: Uint8Array;
}

export const enum ConfChangeType {
  AddNode = 0,
  RemoveNode = 1,
  UpdateNode = 2,
  AddLearnerNode = 3,
}

export interface ConfChange {
  type: ConfChangeType;
  nodeId: NodeId;
  /** Opaque to Raft: the member layer puts the member's peer URLs / attributes here. */
  context: Uint8Array;
}

export const enum MessageType {
  Hup = 0, // local: start an election
  Beat = 1, // local: leader sends heartbeats
  Prop = 2, // proposal (local or forwarded to the leader)
  App = 3, // append entries
  AppResp = 4,
  Vote = 5,
  VoteResp = 6,
  Snap = 7, // install snapshot
  Heartbeat = 8,
  HeartbeatResp = 9,
  Unreachable = 10, // local: transport reports a peer unreachable
  SnapStatus = 11, // local: transport reports snapshot delivery result
  CheckQuorum = 12, // local
  TransferLeader = 13,
  TimeoutNow = 14,
  ReadIndex = 15,
  ReadIndexResp = 16,
  PreVote = 17,
  PreVoteResp = 18,
}

export interface Message {
  type: MessageType;
  to: NodeId;
  from: NodeId;
  term: number;
  /** For App: term of the entry at `index`; for Vote/PreVote: candidate's last log term. */
  logTerm: number;
  /** For App: index preceding `entries`; for AppResp: last index accepted (or rejected). */
  index: number;
  entries: Entry[];
  commit: number;
  snapshot?: Snapshot;
  reject: boolean;
  /** On a rejected AppResp: the follower's hint of where to retry (its last index). */
  rejectHint: number;
  /** For ReadIndex/Heartbeat: the request context being confirmed. */
  context?: Uint8Array;
}

export interface ReadState {
  index: number;
  requestCtx: Uint8Array;
}

export const enum StateRole {
  Follower = "StateFollower",
  Candidate = "StateCandidate",
  Leader = "StateLeader",
  PreCandidate = "StatePreCandidate",
}

export interface SoftState {
  lead: NodeId;
  role: StateRole;
}

/**
 * One batch of work for the caller. The caller must, in this order:
 * 1. persist `snapshot` (if any), `entries` and `hardState` (fsync when `mustSync`),
 * 2. send `messages` (they may depend on what step 1 made durable),
 * 3. apply `snapshot` then `committedEntries` to the state machine, serve `readStates`,
 * 4. call `advance()`.
 */
export interface Ready {
  softState?: SoftState;
  hardState?: HardState;
  entries: Entry[];
  snapshot?: Snapshot;
  committedEntries: Entry[];
  messages: Message[];
  readStates: ReadState[];
  mustSync: boolean;
}
