// Leader → follower traffic: appends (or a snapshot when the entries are compacted away) paced
// by each follower's Progress, and heartbeats.
import { CompactedError, SnapshotTemporarilyUnavailableError, UnavailableError, invariant } from "./errors.ts";
import { makeMessage } from "./message.ts";
import { ProgressState } from "./progress.ts";
import type { Raft } from "./raft.ts";
import { type Entry, type NodeId, MessageType } from "./types.ts";

/**
 * Sends what `to` needs next, unless its progress is paused. With `sendIfEmpty` false, an
 * append carrying no entries is not sent. Returns whether a message was sent.
 */
export function maybeSendAppend(r: Raft, to: NodeId, sendIfEmpty: boolean): boolean {
  const pr = r.prs.get(to);
  if (!pr || pr.isPaused()) return false;
  let prevTerm: number;
  let ents: Entry[];
  try {
    prevTerm = r.raftLog.term(pr.next - 1);
    ents = r.raftLog.entries(pr.next, r.maxMsgSize);
  } catch (e) {
    if (!(e instanceof CompactedError || e instanceof UnavailableError)) throw e;
    return sendSnapshot(r, to);
  }
  if (ents.length === 0 && !sendIfEmpty) return false;
  r.send(
    makeMessage({ type: MessageType.App, to, index: pr.next - 1, logTerm: prevTerm, entries: ents, commit: r.raftLog.committed }),
  );
  if (ents.length > 0) pr.sentEntries(ents[ents.length - 1]!.index);
  else if (pr.state === ProgressState.Probe) pr.probeSent = true;
  return true;
}

function sendSnapshot(r: Raft, to: NodeId): boolean {
  const pr = r.prs.get(to)!;
  // Only ship a (possibly large) snapshot to a follower we know is alive.
  if (!pr.recentActive) return false;
  let snapshot;
  try {
    snapshot = r.raftLog.snapshot();
  } catch (e) {
    if (e instanceof SnapshotTemporarilyUnavailableError) return false;
    throw e;
  }
  invariant(snapshot.metadata.index !== 0, "need non-empty snapshot");
  pr.becomeSnapshot(snapshot.metadata.index);
  r.send(makeMessage({ type: MessageType.Snap, to, snapshot }));
  return true;
}

export function sendAppend(r: Raft, to: NodeId): void {
  maybeSendAppend(r, to, true);
}

export function bcastAppend(r: Raft): void {
  for (const id of r.prs.keys()) if (id !== r.id) sendAppend(r, id);
}

export function sendHeartbeat(r: Raft, to: NodeId, context: Uint8Array | undefined): void {
  // The follower may not have the entries up to our commit yet; never let it commit past them.
  const pr = r.prs.get(to)!;
  const commit = Math.min(pr.match, r.raftLog.committed);
  r.send(makeMessage({ type: MessageType.Heartbeat, to, commit, context }));
}

export function bcastHeartbeat(r: Raft, context?: Uint8Array): void {
  for (const id of r.prs.keys()) if (id !== r.id) sendHeartbeat(r, id, context);
}

export function sendTimeoutNow(r: Raft, to: NodeId): void {
  r.send(makeMessage({ type: MessageType.TimeoutNow, to }));
}
