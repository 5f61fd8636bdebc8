// Named errors of the Raft core. Storage errors are part of the Storage contract: the log
// turns Compacted/Unavailable into "send a snapshot", and SnapshotTemporarilyUnavailable into
// "try again later".

export class RaftError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The requested index is older than the storage's first index (it was compacted away). */
export class CompactedError extends RaftError {
  constructor() {
    super("requested index is unavailable due to compaction");
  }
}

/** The requested index is newer than anything the storage holds. */
export class UnavailableError extends RaftError {
  constructor() {
    super("requested entry at index is unavailable");
  }
}

/** The storage cannot produce a snapshot right now; the leader retries later. */
export class SnapshotTemporarilyUnavailableError extends RaftError {
  constructor() {
    super("snapshot is temporarily unavailable");
  }
}

/** A snapshot older than the one already held was offered to the storage. */
export class SnapOutOfDateError extends RaftError {
  constructor() {
    super("requested index is older than the existing snapshot");
  }
}

/** A proposal could not be accepted: no leader, a leadership transfer, or this node was removed. */
export class ProposalDroppedError extends RaftError {
  constructor(reason: string) {
    super(`raft proposal dropped: ${reason}`);
  }
}

/** A rule of Raft itself was broken; continuing could lose committed data. */
export class InvariantError extends RaftError {}

export function invariant(condition: boolean, message: string | (() => string)): asserts condition {
  if (!condition) throw new InvariantError(typeof message === "string" ? message : message());
}
