// A brand-new cluster's first log, as etcd does it: one committed AddNode entry per initial
// member at term 1. Every initial member writes the same entries, and a member added later
// learns the whole membership history from the log (or a snapshot), never from its flags.
import { encodeConfChange } from "./conf_change_codec.ts";
import { type Entry, type HardState, type NodeId, ConfChangeType, EntryType } from "./types.ts";

export function bootstrapLog(peers: readonly NodeId[], options: { contexts?: ReadonlyMap<NodeId, Uint8Array> } = {}): { entries: Entry[]; hardState: HardState } {
  if (peers.length === 0) throw new Error("bootstrap needs at least one peer");
  const entries = peers.map((nodeId, i) => ({
    term: 1,
    index: i + 1,
    type: EntryType.ConfChange,
    data: encodeConfChange({ type: ConfChangeType.AddNode, nodeId, context: options.contexts?.get(nodeId) ?? new Uint8Array(0) }),
  }));
  return { entries, hardState: { term: 1, vote: "", commit: entries.length } };
}
