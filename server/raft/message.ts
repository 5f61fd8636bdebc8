// Building messages with every field present, so the wire codec and tests see one shape.
import { type Message, MessageType } from "./types.ts";

export function makeMessage(fields: Partial<Message> & { type: MessageType }): Message {
  return {
    type: fields.type,
    to: fields.to ?? "",
    from: fields.from ?? "",
    term: fields.term ?? 0,
    logTerm: fields.logTerm ?? 0,
    index: fields.index ?? 0,
    entries: fields.entries ?? [],
    commit: fields.commit ?? 0,
    snapshot: fields.snapshot,
    reject: fields.reject ?? false,
    rejectHint: fields.rejectHint ?? 0,
    context: fields.context,
  };
}

/** Messages that never leave the node (the transport must not be handed them). */
export function isLocalMessage(type: MessageType): boolean {
  return (
    type === MessageType.Hup ||
    type === MessageType.Beat ||
    type === MessageType.Unreachable ||
    type === MessageType.SnapStatus ||
    type === MessageType.CheckQuorum
  );
}

export function isResponseMessage(type: MessageType): boolean {
  return (
    type === MessageType.AppResp ||
    type === MessageType.VoteResp ||
    type === MessageType.HeartbeatResp ||
    type === MessageType.Unreachable ||
    type === MessageType.PreVoteResp
  );
}

export function voteResponseType(type: MessageType): MessageType {
  return type === MessageType.PreVote ? MessageType.PreVoteResp : MessageType.VoteResp;
}

/** Context marking a vote request that comes from a leadership transfer (it may break a lease). */
export const CAMPAIGN_TRANSFER = new TextEncoder().encode("CampaignTransfer");

export function isTransferContext(context: Uint8Array | undefined): boolean {
  if (!context || context.length !== CAMPAIGN_TRANSFER.length) return false;
  for (let i = 0; i < context.length; i++) if (context[i] !== CAMPAIGN_TRANSFER[i]) return false;
  return true;
}
