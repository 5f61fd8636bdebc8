// How a follower reacts to a message whose term already matches its own.
import { ProposalDroppedError } from "./errors.ts";
import { makeMessage } from "./message.ts";
import { CampaignKind, type Raft } from "./raft.ts";
import { type Message, MessageType, NONE } from "./types.ts";

export function stepFollower(r: Raft, m: Message): void {
  switch (m.type) {
    case MessageType.Prop:
      if (r.lead === NONE) throw new ProposalDroppedError("no leader");
      if (r.disableProposalForwarding) throw new ProposalDroppedError("proposal forwarding disabled");
      m.to = r.lead;
      r.send(m);
      return;
    case MessageType.App:
    case MessageType.Heartbeat:
    case MessageType.Snap:
      // Word from the leader of our term: it is alive, so hold off campaigning.
      r.electionElapsed = 0;
      r.lead = m.from;
      if (m.type === MessageType.App) handleAppend(r, m);
      else if (m.type === MessageType.Heartbeat) handleHeartbeat(r, m);
      else handleSnapshot(r, m);
      return;
    case MessageType.TransferLeader:
      if (r.lead === NONE) return; // dropped: nobody to transfer from
      m.to = r.lead;
      r.send(m);
      return;
    case MessageType.TimeoutNow:
      // The leader chose us: campaign at once, skipping pre-vote and the lease check.
      r.hup(CampaignKind.Transfer);
      return;
    case MessageType.ReadIndex:
      if (r.lead === NONE) throw new ProposalDroppedError("no leader for read index");
      m.to = r.lead;
      r.send(m);
      return;
    case MessageType.ReadIndexResp:
      r.readStates.push({ index: m.index, requestCtx: m.context ?? new Uint8Array(0) });
      return;
  }
}

/** Also used by candidates that learn of the leader through an append. */
export function handleAppend(r: Raft, m: Message): void {
  const log = r.raftLog;
  if (m.index < log.committed) {
    r.send(makeMessage({ type: MessageType.AppResp, to: m.from, index: log.committed }));
    return;
  }
  const lastNew = log.maybeAppend(m.index, m.logTerm, m.commit, m.entries);
  if (lastNew !== undefined) {
    r.send(makeMessage({ type: MessageType.AppResp, to: m.from, index: lastNew }));
    return;
  }
  // Reject, with a hint that lets the leader skip every entry of a term we cannot match.
  const hint = log.findConflictByTerm(Math.min(m.index, log.lastIndex()), m.logTerm);
  r.send(
    makeMessage({ type: MessageType.AppResp, to: m.from, index: m.index, reject: true, rejectHint: hint.index, logTerm: hint.term }),
  );
}

export function handleHeartbeat(r: Raft, m: Message): void {
  r.raftLog.commitTo(m.commit);
  r.send(makeMessage({ type: MessageType.HeartbeatResp, to: m.from, context: m.context }));
}

export function handleSnapshot(r: Raft, m: Message): void {
  const snap = m.snapshot!;
  if (restoreSnapshot(r, snap)) {
    r.send(makeMessage({ type: MessageType.AppResp, to: m.from, index: r.raftLog.lastIndex() }));
  } else {
    r.send(makeMessage({ type: MessageType.AppResp, to: m.from, index: r.raftLog.committed }));
  }
}

function restoreSnapshot(r: Raft, snap: NonNullable<Message["snapshot"]>): boolean {
  const { index, term } = snap.metadata;
  if (index <= r.raftLog.committed) return false;
  if (r.raftLog.matchTerm(index, term)) {
    // We already hold the snapshot's last entry: just fast-forward commit.
    r.raftLog.commitTo(index);
    return false;
  }
  r.raftLog.restore(snap);
  r.setConfState(snap.metadata.confState);
  return true;
}
