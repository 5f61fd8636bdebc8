// A read-only picture of one Raft node, for the dashboard and /v2/stats.
import type { ProgressState } from "./progress.ts";
import type { Raft } from "./raft.ts";
import type { NodeId, StateRole } from "./types.ts";

export interface ProgressStatus {
  match: number;
  next: number;
  state: ProgressState;
  recentActive: boolean;
  isLearner: boolean;
  pendingSnapshot: number;
  inflight: number;
}

/** The cheap part of the status: no allocation per follower, fine to call per request. */
export interface BasicStatus {
  id: NodeId;
  term: number;
  vote: NodeId;
  commit: number;
  applied: number;
  lead: NodeId;
  role: StateRole;
}

export function basicStatus(r: Raft): BasicStatus {
  return { id: r.id, term: r.term, vote: r.vote, commit: r.raftLog.committed, applied: r.raftLog.applied, lead: r.lead, role: r.state };
}

export interface RaftStatus {
  id: NodeId;
  term: number;
  vote: NodeId;
  commit: number;
  applied: number;
  lastIndex: number;
  lead: NodeId;
  role: StateRole;
  leadTransferee: NodeId;
  voters: NodeId[];
  learners: NodeId[];
  /** Only on the leader: what it knows of every member, itself included. */
  progress: Record<NodeId, ProgressStatus>;
}

export function raftStatus(r: Raft): RaftStatus {
  const progress: Record<NodeId, ProgressStatus> = {};
  if (r.state === ("StateLeader" as StateRole)) {
    for (const [id, pr] of r.prs) {
      progress[id] = {
        match: pr.match,
        next: pr.next,
        state: pr.state,
        recentActive: pr.recentActive,
        isLearner: pr.isLearner,
        pendingSnapshot: pr.pendingSnapshot,
        inflight: pr.inflights.size(),
      };
    }
  }
  return {
    id: r.id,
    term: r.term,
    vote: r.vote,
    commit: r.raftLog.committed,
    applied: r.raftLog.applied,
    lastIndex: r.raftLog.lastIndex(),
    lead: r.lead,
    role: r.state,
    leadTransferee: r.leadTransferee,
    voters: [...r.voters],
    learners: [...r.learners],
    progress,
  };
}
