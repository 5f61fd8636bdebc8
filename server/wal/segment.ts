// Segment files: creating one atomically (temp file, fsync, rename, fsync dir) and reading one
// back into records, telling a torn tail (repairable) from corruption (fatal).
import { RecordType, type WalRecord } from "./codec.ts";
import type { WalContext } from "./context.ts";
import { joinPath, type DiskFile } from "./disk.ts";
import { WalCorruptError } from "./errors.ts";
import { readFrame } from "./frame.ts";
import { segmentFileName } from "./names.ts";
import { isZero } from "./zeros.ts";

export interface Segment {
  seq: number;
  firstIndex: number;
  path: string;
}

/** Writes `head` (CRC + metadata records...) into a preallocated temp file and renames it into place. */
export async function createSegmentFile(ctx: WalContext, seg: Omit<Segment, "path">, head: Uint8Array): Promise<{ segment: Segment; file: DiskFile }> {
  const path = joinPath(ctx.walDir, segmentFileName(seg.seq, seg.firstIndex));
  const tmp = `${path}.tmp`;
  const file = await ctx.disk.open(tmp, { create: true });
  try {
    await file.truncate(0);
    await file.write(0, head);
    // Preallocating means appends never change the file size, so fdatasync need not flush metadata.
    if (ctx.segmentSizeBytes > head.length) await file.truncate(ctx.segmentSizeBytes);
    await file.fsync();
    await ctx.disk.rename(tmp, path);
    await ctx.disk.fsyncDir(ctx.walDir);
  } finally {
    await file.close();
  }
  // Reopened under its final name so errors and logs name the file that exists.
  return { segment: { ...seg, path }, file: await ctx.disk.open(path) };
}

export interface PositionedRecord {
  record: WalRecord;
  offset: number;
}

export interface SegmentScan {
  records: PositionedRecord[];
  /** Where the next record goes (start of the torn part when torn). */
  endOffset: number;
  /** The running CRC after the last good record. */
  crc: number;
  torn?: { offset: number; reason: string };
}

/**
 * Reads every record of a segment. `prevCrc` is the running CRC the previous segment ended with
 * (undefined for the oldest segment kept). Only the last segment may have a torn tail.
 */
export function scanSegment(buf: Uint8Array, options: { path: string; isLast: boolean; prevCrc?: number }): SegmentScan {
  const { path, isLast, prevCrc } = options;
  const records: PositionedRecord[] = [];
  let crc = prevCrc ?? 0;
  let at = 0;
  const corrupt = (offset: number, reason: string) => new WalCorruptError(path, offset, reason);
  for (;;) {
    const f = readFrame(buf, at, crc);
    if (f.kind === "record") {
      if (records.length === 0) {
        if (f.record.type !== RecordType.Crc) throw corrupt(at, "segment does not start with a crc record");
        if (prevCrc !== undefined && f.record.crc !== prevCrc) {
          throw corrupt(at, `crc chain broken: segment starts from ${f.record.crc.toString(16)} but the previous one ended at ${prevCrc.toString(16)}`);
        }
      } else if (records.length === 1 && f.record.type !== RecordType.Metadata) {
        throw corrupt(at, "segment has no metadata record");
      } else if (f.record.type === RecordType.Crc) {
        throw corrupt(at, "crc record in the middle of a segment");
      }
      records.push({ record: f.record, offset: at });
      crc = f.crc;
      at = f.next;
      continue;
    }
    // A segment is renamed into place only once its head is synced, so the head cannot be torn.
    const headDone = records.length >= 2;
    if (f.kind === "end") {
      if (!headDone) throw corrupt(at, "segment ends before its crc and metadata records");
      if (at >= buf.length || isZero(buf, at, buf.length)) return { records, endOffset: at, crc };
      if (isLast) return { records, endOffset: at, crc, torn: { offset: at, reason: "bytes after the last record" } };
      throw corrupt(at, "data after the end of records");
    }
    if (f.kind === "torn" && isLast && headDone) return { records, endOffset: at, crc, torn: { offset: at, reason: f.reason } };
    throw corrupt(at, f.reason);
  }
}
