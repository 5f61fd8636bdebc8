// Membership changes, one node at a time, taking effect when the application has applied the
// ConfChange entry (as etcd-io/raft does).
import { bcastAppend, maybeSendAppend } from "./replicate.ts";
import type { Raft } from "./raft.ts";
import { releasePendingReads } from "./step_leader.ts";
import { type ConfChange, type ConfState, ConfChangeType, NONE, StateRole } from "./types.ts";

export function applyConfChange(r: Raft, cc: ConfChange): ConfState {
  const id = cc.nodeId;
  switch (cc.type) {
    case ConfChangeType.AddNode: {
      if (r.voters.has(id)) break;
      r.learners.delete(id);
      r.voters.add(id);
      const pr = r.prs.get(id);
      if (pr) pr.isLearner = false;
      else addProgress(r, id, false);
      break;
    }
    case ConfChangeType.AddLearnerNode:
      // Demoting a voter is not supported: it would need joint consensus.
      if (r.voters.has(id) || r.learners.has(id)) break;
      r.learners.add(id);
      addProgress(r, id, true);
      break;
    case ConfChangeType.RemoveNode:
      r.voters.delete(id);
      r.learners.delete(id);
      r.prs.delete(id);
      break;
    case ConfChangeType.UpdateNode:
      break; // only the application's view of the member (its URLs) changes
  }
  afterConfChange(r);
  return r.confState();
}

function addProgress(r: Raft, id: string, isLearner: boolean): void {
  const pr = r.newProgress(isLearner);
  // A new member counts as active so check-quorum does not depose us before it answers.
  pr.recentActive = true;
  if (id === r.id) pr.match = r.raftLog.lastIndex();
  r.prs.set(id, pr);
}

function afterConfChange(r: Raft): void {
  r.isLearner = r.learners.has(r.id);
  if (r.state !== StateRole.Leader) return;
  if (!r.voters.has(r.id)) {
    // Removed leader: tell the others how far we committed (so they apply the removal too),
    // then step down; the remaining voters elect a new leader.
    bcastAppend(r);
    r.becomeFollower(r.term, NONE);
    return;
  }
  if (r.leadTransferee !== NONE && !r.voters.has(r.leadTransferee)) r.abortLeaderTransfer();
  // The quorum changed: the commit index may move (e.g. after removing a lagging voter).
  if (r.maybeCommit()) {
    releasePendingReads(r);
    bcastAppend(r);
  } else {
    for (const id of r.prs.keys()) if (id !== r.id) maybeSendAppend(r, id, false);
  }
}
