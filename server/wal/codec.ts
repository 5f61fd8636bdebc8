// Compact fixed-width little-endian payloads of WAL records. Raft numbers (term, index, commit)
// are JS safe integers stored as u64; member IDs are etcd's hex strings stored as u64.
import { bytesWithView } from "../util/bytes.ts";
import type { Entry, EntryType, HardState, NodeId } from "../raft/types.ts";

export const enum RecordType {
  Metadata = 1,
  Entry = 2,
  HardState = 3,
  Crc = 4,
  Snapshot = 5,
}

/** Who wrote this WAL: every segment opens with it, so a data dir cannot be mixed up. */
export interface WalMetadata {
  memberId: NodeId;
  clusterId: string;
}

/** Where a snapshot was taken: the WAL records it so replay knows where entries resume. */
export interface SnapshotMarker {
  index: number;
  term: number;
}

export type WalRecord =
  | { type: RecordType.Metadata; metadata: WalMetadata }
  | { type: RecordType.Entry; entry: Entry }
  | { type: RecordType.HardState; hardState: HardState }
  | { type: RecordType.Crc; crc: number }
  | { type: RecordType.Snapshot; marker: SnapshotMarker };

/** A payload that does not decode: the record's CRC matched, so this is a bug or a foreign file. */
export class PayloadError extends Error {
  override readonly name = "PayloadError";
}

/** Throws RangeError unless `v` is an integer a u64 field holds exactly (0 to 2^53 - 1). */
export function checkU64(v: number): void {
  if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`cannot store ${v} as u64`);
}

export function putU64(view: DataView, at: number, v: number): void {
  checkU64(v);
  view.setUint32(at, v >>> 0, true);
  view.setUint32(at + 4, Math.floor(v / 0x1_0000_0000), true);
}

export function getU64(view: DataView, at: number): number {
  const hi = view.getUint32(at + 4, true);
  if (hi > 0x1fffff) throw new PayloadError(`u64 at ${at} is beyond 2^53`);
  return hi * 0x1_0000_0000 + view.getUint32(at, true);
}

/** The last ID stored and its value: a hard state's vote is the same on every save of a term. */
let lastId: NodeId = "";
let lastIdValue = 0n;

export function putId(view: DataView, at: number, id: NodeId): void {
  if (id !== lastId) {
    lastIdValue = id === "" ? 0n : BigInt("0x" + id);
    lastId = id;
  }
  view.setBigUint64(at, lastIdValue, true);
}

export function getId(view: DataView, at: number): NodeId {
  const v = view.getBigUint64(at, true);
  return v === 0n ? "" : v.toString(16);
}

/** A hard state payload: u64 term, u64 vote (a member ID), u64 commit. */
export const HARD_STATE_BYTES = 24;

/** Writes a hard state payload at `at`; throws RangeError (or SyntaxError for a vote that is not hex). */
export function writeHardStatePayload(hs: HardState, into: { view: DataView; at: number }): void {
  putU64(into.view, into.at, hs.term);
  putId(into.view, into.at + 8, hs.vote);
  putU64(into.view, into.at + 16, hs.commit);
}

const [, checkView] = bytesWithView(HARD_STATE_BYTES);

/** The checks writeHardStatePayload would fail, made ahead of time so a bad one fails only its caller. */
export function checkHardStateEncodable(hs: HardState): void {
  writeHardStatePayload(hs, { view: checkView, at: 0 });
}

/** An entry payload: u64 term, u64 index, u8 type, then the entry's data. */
export const ENTRY_FIXED_BYTES = 17;

/** Writes an entry payload at `at` (the caller sized the buffer); throws RangeError on a bad term or index. */
export function writeEntryPayload(e: Entry, into: { bytes: Uint8Array; view: DataView; at: number }): void {
  putU64(into.view, into.at, e.term);
  putU64(into.view, into.at + 8, e.index);
  into.view.setUint8(into.at + 16, e.type);
  into.bytes.set(e.data, into.at + ENTRY_FIXED_BYTES);
}

/** The checks writeEntryPayload would fail, made ahead of time so a bad entry fails only its caller. */
export function checkEntryEncodable(e: Entry): void {
  checkU64(e.term);
  checkU64(e.index);
  if (!(e.data instanceof Uint8Array)) throw new TypeError("entry data is not bytes");
}

export function encodePayload(rec: WalRecord): Uint8Array {
  switch (rec.type) {
    case RecordType.Metadata: {
      const [b, v] = bytesWithView(16);
      putId(v, 0, rec.metadata.memberId);
      putId(v, 8, rec.metadata.clusterId);
      return b;
    }
    case RecordType.Entry: {
      const [b, v] = bytesWithView(ENTRY_FIXED_BYTES + rec.entry.data.length);
      writeEntryPayload(rec.entry, { bytes: b, view: v, at: 0 });
      return b;
    }
    case RecordType.HardState: {
      const [b, v] = bytesWithView(HARD_STATE_BYTES);
      writeHardStatePayload(rec.hardState, { view: v, at: 0 });
      return b;
    }
    case RecordType.Crc: {
      const [b, v] = bytesWithView(4);
      v.setUint32(0, rec.crc, true);
      return b;
    }
    case RecordType.Snapshot: {
      const [b, v] = bytesWithView(16);
      putU64(v, 0, rec.marker.index);
      putU64(v, 8, rec.marker.term);
      return b;
    }
  }
}

const FIXED_SIZE: Record<number, number> = {
  [RecordType.Metadata]: 16,
  [RecordType.HardState]: 24,
  [RecordType.Crc]: 4,
  [RecordType.Snapshot]: 16,
};

/** `data` is a view into the segment; an entry's data is copied out so the segment can be dropped. */
export function decodePayload(type: number, data: Uint8Array): WalRecord {
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  if (type === RecordType.Entry) {
    if (data.length < 17) throw new PayloadError(`entry record of ${data.length} bytes`);
    const entry: Entry = { term: getU64(v, 0), index: getU64(v, 8), type: v.getUint8(16) as EntryType, data: data.slice(17) };
    return { type, entry };
  }
  const want = FIXED_SIZE[type];
  if (want === undefined) throw new PayloadError(`unknown record type ${type}`);
  if (data.length !== want) throw new PayloadError(`record type ${type} has ${data.length} bytes, want ${want}`);
  switch (type) {
    case RecordType.Metadata:
      return { type, metadata: { memberId: getId(v, 0), clusterId: getId(v, 8) } };
    case RecordType.HardState:
      return { type, hardState: { term: getU64(v, 0), vote: getId(v, 8), commit: getU64(v, 16) } };
    case RecordType.Crc:
      return { type, crc: v.getUint32(0, true) };
    default:
      return { type: RecordType.Snapshot, marker: { index: getU64(v, 0), term: getU64(v, 8) } };
  }
}
