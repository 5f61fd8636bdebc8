// One line per Raft log entry for the dashboard's Log view.
import type { LogEntrySummary } from "../../shared/feed.ts";
import { decodeConfChange } from "../raft/conf_change_codec.ts";
import { type Entry, ConfChangeType, EntryType } from "../raft/types.ts";
import { decodeRequestEntry } from "./entry.ts";
import { summarizeRequest } from "./introspect.ts";

export const CONF_CHANGE_NAMES: Record<number, string> = {
  [ConfChangeType.AddNode]: "add member",
  [ConfChangeType.RemoveNode]: "remove member",
  [ConfChangeType.UpdateNode]: "update member",
  [ConfChangeType.AddLearnerNode]: "add learner",
};

export function summarizeEntry(e: Entry): LogEntrySummary {
  if (e.type === EntryType.ConfChange) {
    const cc = decodeConfChange(e.data);
    return { index: e.index, term: e.term, kind: "conf-change", summary: `${CONF_CHANGE_NAMES[cc.type]} ${cc.nodeId}` };
  }
  if (e.data.length === 0) return { index: e.index, term: e.term, kind: "noop", summary: "leader no-op" };
  let summary: string;
  try {
    summary = summarizeRequest(decodeRequestEntry(e.data).req);
  } catch {
    summary = "(undecodable)";
  }
  return { index: e.index, term: e.term, kind: "normal", summary };
}
