// Record framing. A frame is
//   u32 payload length | u8 type | u8 pad | u16 header check   (the "length word", 8-aligned)
//   u32 chained CRC32C | payload | pad zeros to the next multiple of 8
// Frames start 8-aligned, so the length word never straddles a sector and cannot tear; the
// header check tells a rotten length word from a torn one. The CRC covers the first six header
// bytes and the payload, seeded with the previous record's CRC: the chain runs through every
// record of every segment (a CRC record restates the running value at each segment start).
import { crc32c } from "./crc32c.ts";
import type { Entry } from "../raft/types.ts";
import { GrowableBytes } from "../util/bytes.ts";
import type { HardState } from "../raft/types.ts";
import {
  ENTRY_FIXED_BYTES,
  HARD_STATE_BYTES,
  PayloadError,
  RecordType,
  decodePayload,
  encodePayload,
  writeEntryPayload,
  writeHardStatePayload,
  type WalRecord,
} from "./codec.ts";
import { isZero } from "./zeros.ts";

export const HEADER_BYTES = 12;
export const SECTOR_BYTES = 512;
const MAX_PAYLOAD_BYTES = 0xffff_fff0;

export function frameBytes(payloadBytes: number): number {
  return (HEADER_BYTES + payloadBytes + 7) & ~7;
}

/**
 * A record waiting in the WAL's queue: an entry or a hard state stays as it is until it is framed
 * (checked with checkEntryEncodable or checkHardStateEncodable when queued); any other record is
 * encoded when queued.
 */
export type QueuedRecord =
  | { kind: "entry"; entry: Entry }
  | { kind: "hardState"; hardState: HardState }
  | { kind: "encoded"; type: RecordType; payload: Uint8Array };

/** The frame bytes a queued record will take. */
export function queuedFrameBytes(r: QueuedRecord): number {
  switch (r.kind) {
    case "entry":
      return frameBytes(ENTRY_FIXED_BYTES + r.entry.data.length);
    case "hardState":
      return frameBytes(HARD_STATE_BYTES);
    case "encoded":
      return frameBytes(r.payload.length);
  }
}

function headerCheck(frame: Uint8Array, at: number): number {
  return crc32c(frame, 0, at, at + 6) & 0xffff;
}

/**
 * Frames records in order, carrying the running CRC, straight into the buffer the next take()
 * returns: one allocation per batch (sized up front when the caller knows the total), not one
 * per record plus a copy to join them. The WAL keeps one writer and restart()s it for each batch,
 * so a batch allocates nothing at all; that is why seal() zeroes the padding itself.
 */
export class FrameWriter extends GrowableBytes {
  /** `capacity`: the frame bytes the caller expects to add before take() (see frameBytes). */
  constructor(
    public crc: number,
    capacity = 256,
  ) {
    super(capacity);
  }

  add(rec: WalRecord): void {
    this.addEncoded(rec.type, encodePayload(rec));
  }

  /** Empties the writer, keeping its buffer, to frame a batch of about `capacityBytes` chained from `crc`. */
  restart(crc: number, capacityBytes: number): void {
    this.crc = crc;
    this.clear();
    this.ensureCapacity(capacityBytes);
  }

  addQueued(r: QueuedRecord): void {
    if (r.kind === "entry") this.addEntry(r.entry);
    else if (r.kind === "hardState") this.addHardState(r.hardState);
    else this.addEncoded(r.type, r.payload);
  }

  /** A hard state record encoded straight into the frame (checked with checkHardStateEncodable). */
  addHardState(hs: HardState): void {
    const at = this.open(HARD_STATE_BYTES);
    writeHardStatePayload(hs, { view: this.view, at: at + HEADER_BYTES });
    this.seal(RecordType.HardState, at, HARD_STATE_BYTES);
  }

  /** For payloads encoded ahead of time (off the flush path, so bad input fails only its caller). */
  addEncoded(type: RecordType, data: Uint8Array): void {
    const at = this.open(data.length);
    this.buf.set(data, at + HEADER_BYTES);
    this.seal(type, at, data.length);
  }

  /**
   * An entry record encoded straight into the frame, without a payload buffer of its own.
   * The caller checked it with checkEntryEncodable before it reached the flush path.
   */
  addEntry(e: Entry): void {
    const length = ENTRY_FIXED_BYTES + e.data.length;
    const at = this.open(length);
    writeEntryPayload(e, { bytes: this.buf, view: this.view, at: at + HEADER_BYTES });
    this.seal(RecordType.Entry, at, length);
  }

  /** Room for one frame of `payloadBytes`; returns where it starts. */
  private open(payloadBytes: number): number {
    if (payloadBytes > MAX_PAYLOAD_BYTES) throw new RangeError(`record of ${payloadBytes} bytes is too large`);
    this.reserve(frameBytes(payloadBytes));
    return this.pos;
  }

  /** Writes the header of the frame at `at`, whose payload is already in place, and chains the CRC. */
  private seal(type: RecordType, at: number, payloadBytes: number): void {
    const size = frameBytes(payloadBytes);
    const b = this.buf;
    const v = this.view;
    const start = at + HEADER_BYTES;
    v.setUint32(at, payloadBytes, true);
    v.setUint8(at + 4, type);
    v.setUint8(at + 5, size - HEADER_BYTES - payloadBytes);
    v.setUint16(at + 6, headerCheck(b, at), true);
    // A CRC record restates the running value (little-endian u32), which seeds its own checksum.
    const seed = type === RecordType.Crc ? v.getUint32(start, true) : this.crc;
    this.crc = crc32c(b, crc32c(b, seed, at, at + 6), start, start + payloadBytes);
    v.setUint32(at + 8, this.crc, true);
    // A restarted writer's buffer holds the last batch's bytes: the padding must be zeroed here.
    b.fill(0, start + payloadBytes, at + size);
    this.pos += size;
  }
}

export type FrameRead =
  | { kind: "record"; record: WalRecord; crc: number; next: number }
  /** A zero length word (or end of buffer): no more records here. */
  | { kind: "end" }
  /** Looks like an interrupted write: only acceptable at the tail of the last segment. */
  | { kind: "torn"; reason: string }
  | { kind: "corrupt"; reason: string };

/**
 * A write torn by power loss leaves whole sectors unwritten, which in a preallocated segment
 * read as zeros; bit rot does not. So a bad frame with an all-zero sector piece is torn.
 */
function hasZeroSector(buf: Uint8Array, from: number, to: number): boolean {
  for (let start = from; start < to; ) {
    const end = Math.min(to, (Math.floor(start / SECTOR_BYTES) + 1) * SECTOR_BYTES);
    if (isZero(buf, start, end)) return true;
    start = end;
  }
  return false;
}

/** Reads the frame at `offset` (a file offset: `buf` holds the segment from byte 0). */
export function readFrame(buf: Uint8Array, offset: number, prevCrc: number): FrameRead {
  if (offset + 8 > buf.length) return isZero(buf, offset, buf.length) ? { kind: "end" } : { kind: "torn", reason: "partial length word" };
  if (isZero(buf, offset, offset + 8)) return { kind: "end" };
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const length = v.getUint32(offset, true);
  const type = v.getUint8(offset + 4);
  if (v.getUint16(offset + 6, true) !== headerCheck(buf, offset)) return { kind: "corrupt", reason: "length word fails its check" };
  const size = frameBytes(length);
  if (v.getUint8(offset + 5) !== size - HEADER_BYTES - length) return { kind: "corrupt", reason: "bad padding in length word" };
  if (offset + HEADER_BYTES + length > buf.length) return { kind: "torn", reason: `record of ${length} bytes runs past end of file` };
  const data = buf.subarray(offset + HEADER_BYTES, offset + HEADER_BYTES + length);
  const seed = type === RecordType.Crc && length === 4 ? v.getUint32(offset + HEADER_BYTES, true) : prevCrc;
  const crc = crc32c(data, crc32c(buf.subarray(offset, offset + 6), seed));
  if (crc !== v.getUint32(offset + 8, true)) {
    return hasZeroSector(buf, offset, offset + HEADER_BYTES + length)
      ? { kind: "torn", reason: "crc mismatch in a partly written record" }
      : { kind: "corrupt", reason: "crc mismatch" };
  }
  try {
    return { kind: "record", record: decodePayload(type, data), crc, next: offset + size };
  } catch (err) {
    if (err instanceof PayloadError) return { kind: "corrupt", reason: err.message };
    throw err;
  }
}
