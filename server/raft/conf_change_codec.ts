// The bytes of a ConfChange entry in the log: [type u8][id length u8][id utf-8][context...].
// Raft itself only needs to tell ConfChange entries apart (by Entry.type); the member decodes
// them to call applyConfChange.
import { type ConfChange, ConfChangeType } from "./types.ts";

const utf8 = new TextEncoder();
const utf8Decode = new TextDecoder();

export function encodeConfChange(cc: ConfChange): Uint8Array {
  const id = utf8.encode(cc.nodeId);
  if (id.length > 255) throw new Error("node id too long for a conf change");
  const out = new Uint8Array(2 + id.length + cc.context.length);
  out[0] = cc.type;
  out[1] = id.length;
  out.set(id, 2);
  out.set(cc.context, 2 + id.length);
  return out;
}

export function decodeConfChange(data: Uint8Array): ConfChange {
  if (data.length < 2 || data[0]! > ConfChangeType.AddLearnerNode || data.length < 2 + data[1]!) {
    throw new Error("malformed conf change entry");
  }
  const idLength = data[1]!;
  return {
    type: data[0] as ConfChangeType,
    nodeId: utf8Decode.decode(data.subarray(2, 2 + idLength)),
    context: data.slice(2 + idLength),
  };
}
