// How the leader reacts to local triggers and to its followers' answers.
import { ProposalDroppedError } from "./errors.ts";
import { ProgressState } from "./progress.ts";
import { hasQuorum } from "./quorum.ts";
import type { Raft } from "./raft.ts";
import { bcastAppend, bcastHeartbeat, maybeSendAppend, sendAppend, sendTimeoutNow } from "./replicate.ts";
import { type Message, EntryType, MessageType, NONE } from "./types.ts";

export function stepLeader(r: Raft, m: Message): void {
  switch (m.type) {
    case MessageType.Beat:
      bcastHeartbeat(r, lastPendingReadContext(r));
      return;
    case MessageType.CheckQuorum:
      if (!hasQuorum(r.voters, (id) => id === r.id || r.prs.get(id)?.recentActive === true)) {
        r.becomeFollower(r.term, NONE);
        return;
      }
      for (const [id, pr] of r.prs) if (id !== r.id) pr.recentActive = false;
      return;
    case MessageType.Prop:
      stepProposal(r, m);
      return;
    case MessageType.ReadIndex:
      stepReadIndex(r, m);
      return;
  }

  const pr = r.prs.get(m.from);
  if (!pr) return; // not (or no longer) a member
  switch (m.type) {
    case MessageType.AppResp: {
      pr.recentActive = true;
      if (m.reject) {
        // Jump over the follower's whole mismatching term using its hint (§5.3 optimization).
        let nextProbe = m.rejectHint;
        if (m.logTerm > 0) nextProbe = r.raftLog.findConflictByTerm(m.rejectHint, m.logTerm).index;
        if (pr.maybeDecrTo(m.index, nextProbe)) {
          if (pr.state === ProgressState.Replicate) pr.becomeProbe();
          sendAppend(r, m.from);
        }
        return;
      }
      const wasPaused = pr.isPaused();
      if (!pr.maybeUpdate(m.index)) return;
      if (pr.state === ProgressState.Probe) {
        pr.becomeReplicate();
      } else if (pr.state === ProgressState.Snapshot && (pr.match >= pr.pendingSnapshot || pr.match + 1 >= r.raftLog.firstIndex())) {
        // The follower caught up through the snapshot (or our log): replicate from its match.
        pr.becomeProbe();
        pr.becomeReplicate();
      } else if (pr.state === ProgressState.Replicate) {
        pr.inflights.freeLE(m.index);
      }
      if (r.maybeCommit()) {
        releasePendingReads(r);
        bcastAppend(r);
      } else if (wasPaused) {
        sendAppend(r, m.from);
      }
      // Keep the pipeline full: send as many appends as the window allows.
      while (maybeSendAppend(r, m.from, false)) {}
      if (m.from === r.leadTransferee && pr.match === r.raftLog.lastIndex()) sendTimeoutNow(r, m.from);
      return;
    }
    case MessageType.HeartbeatResp: {
      pr.recentActive = true;
      pr.probeSent = false;
      if (pr.state === ProgressState.Replicate && pr.inflights.full()) pr.inflights.freeFirstOne();
      if (pr.match < r.raftLog.lastIndex()) sendAppend(r, m.from);
      if (!m.context || m.context.length === 0) return;
      const acks = r.readOnly.recvAck(m.from, m.context);
      if (!acks || !hasQuorum(r.voters, (id) => acks.has(id))) return;
      for (const rs of r.readOnly.advance(m.context)) r.respondToRead(rs.request, rs.index);
      return;
    }
    case MessageType.SnapStatus:
      if (pr.state !== ProgressState.Snapshot) return;
      if (m.reject) pr.pendingSnapshot = 0;
      pr.becomeProbe();
      // Wait for a heartbeat response before probing: the snapshot may still be in flight.
      pr.probeSent = true;
      return;
    case MessageType.Unreachable:
      if (pr.state === ProgressState.Replicate) pr.becomeProbe();
      return;
    case MessageType.TransferLeader: {
      if (pr.isLearner) return;
      const transferee = m.from;
      if (r.leadTransferee !== NONE) {
        if (r.leadTransferee === transferee) return; // already under way
        r.abortLeaderTransfer();
      }
      if (transferee === r.id) return;
      // The transfer must finish within an election timeout (see tickHeartbeat).
      r.electionElapsed = 0;
      r.leadTransferee = transferee;
      if (pr.match === r.raftLog.lastIndex()) sendTimeoutNow(r, transferee);
      else sendAppend(r, transferee);
      return;
    }
  }
}

function lastPendingReadContext(r: Raft): Uint8Array | undefined {
  const key = r.readOnly.lastPendingContext();
  if (key === undefined) return undefined;
  const ctx = new Uint8Array(key.length);
  for (let i = 0; i < key.length; i++) ctx[i] = key.charCodeAt(i);
  return ctx;
}

function stepProposal(r: Raft, m: Message): void {
  if (m.entries.length === 0) throw new ProposalDroppedError("empty proposal");
  if (!r.prs.has(r.id)) throw new ProposalDroppedError("this node was removed from the cluster");
  if (r.leadTransferee !== NONE) throw new ProposalDroppedError("leadership transfer in progress");
  for (let i = 0; i < m.entries.length; i++) {
    const e = m.entries[i]!;
    if (e.type !== EntryType.ConfChange) continue;
    // One membership change at a time: a second one before the first is applied becomes a no-op.
    if (r.pendingConfIndex > r.raftLog.applied) {
      m.entries[i] = { term: 0, index: 0, type: EntryType.Normal, data: new Uint8Array(0) };
    } else {
      r.pendingConfIndex = r.raftLog.lastIndex() + i + 1;
    }
  }
  if (!r.increaseUncommittedSize(m.entries)) throw new ProposalDroppedError("too many uncommitted entries");
  r.appendEntries(m.entries);
  bcastAppend(r);
}

function stepReadIndex(r: Raft, m: Message): void {
  if (r.voters.size === 1 && r.voters.has(r.id)) {
    r.respondToRead(m, r.raftLog.committed);
    return;
  }
  // Until we commit an entry of our term, our commit index may lag the previous leader's.
  if (!r.committedEntryInCurrentTerm()) {
    if (r.pendingReadIndexMessages.length < r.maxPendingReads) r.pendingReadIndexMessages.push(m);
    return;
  }
  sendReadIndex(r, m);
}

function sendReadIndex(r: Raft, m: Message): void {
  if (!r.readOnly.addRequest(r.raftLog.committed, m)) return;
  r.readOnly.recvAck(r.id, m.context);
  bcastHeartbeat(r, m.context);
}

export function releasePendingReads(r: Raft): void {
  if (r.pendingReadIndexMessages.length === 0 || !r.committedEntryInCurrentTerm()) return;
  const waiting = r.pendingReadIndexMessages;
  r.pendingReadIndexMessages = [];
  for (const m of waiting) sendReadIndex(r, m);
}
