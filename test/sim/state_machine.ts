// The replicated state machine of the simulation: a running hash over every applied entry.
// Two nodes with the same (applied, hash) applied the same sequence, which makes the
// state-machine-safety check O(1) per entry. Snapshots carry (applied, hash).
import type { Entry } from "../../server/raft/types.ts";

export interface SmState {
  applied: number;
  hash: number;
}

export function applyToHash(hash: number, e: Entry): number {
  let h = Math.imul(hash ^ e.index, 0x01000193) ^ e.term;
  h = Math.imul(h, 0x01000193) ^ e.type;
  const d = e.data;
  for (let i = 0; i < d.length; i++) h = Math.imul(h ^ d[i]!, 0x01000193);
  return h >>> 0;
}

export function encodeSm(s: SmState): Uint8Array {
  const out = new Uint8Array(8);
  const v = new DataView(out.buffer);
  v.setUint32(0, s.applied);
  v.setUint32(4, s.hash);
  return out;
}

export function decodeSm(data: Uint8Array): SmState {
  if (data.length === 0) return { applied: 0, hash: 0 };
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  return { applied: v.getUint32(0), hash: v.getUint32(4) };
}
