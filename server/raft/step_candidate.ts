// How a candidate or pre-candidate reacts to a message of its current term.
import { ProposalDroppedError } from "./errors.ts";
import { CampaignKind, type Raft } from "./raft.ts";
import { VoteResult } from "./quorum.ts";
import { handleAppend, handleHeartbeat, handleSnapshot } from "./step_follower.ts";
import { type Message, MessageType, NONE, StateRole } from "./types.ts";
import { bcastAppend } from "./replicate.ts";

export function stepCandidate(r: Raft, m: Message): void {
  // Only answers to our own kind of request count; a stale pre-vote answer during a real
  // election (or the reverse) is ignored.
  const myVoteResp = r.state === StateRole.PreCandidate ? MessageType.PreVoteResp : MessageType.VoteResp;
  switch (m.type) {
    case MessageType.Prop:
      throw new ProposalDroppedError("no leader");
    case MessageType.ReadIndex:
      throw new ProposalDroppedError("no leader for read index");
    case MessageType.App:
      r.becomeFollower(m.term, m.from);
      handleAppend(r, m);
      return;
    case MessageType.Heartbeat:
      r.becomeFollower(m.term, m.from);
      handleHeartbeat(r, m);
      return;
    case MessageType.Snap:
      r.becomeFollower(m.term, m.from);
      handleSnapshot(r, m);
      return;
    case myVoteResp: {
      const result = r.poll(m.from, !m.reject);
      if (result === VoteResult.Won) {
        if (r.state === StateRole.PreCandidate) {
          r.campaign(CampaignKind.Election);
        } else {
          r.becomeLeader();
          bcastAppend(r);
        }
      } else if (result === VoteResult.Lost) {
        r.becomeFollower(r.term, NONE);
      }
      return;
    }
  }
}
