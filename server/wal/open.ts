// Starting from disk: createWal for a new member, openWal to recover (newest whole snapshot,
// its marker in the WAL, entries after it, torn tail repaired), walExists to tell them apart.
import type { Entry, HardState, Snapshot, SnapshotMetadata } from "../raft/types.ts";
import { RecordType, type WalMetadata } from "./codec.ts";
import { walContext, type WalContext, type WalOptions } from "./context.ts";
import { dirname, joinPath } from "./disk.ts";
import { WalCorruptError } from "./errors.ts";
import { FrameWriter } from "./frame.ts";
import { parseSegmentName } from "./names.ts";
import { createSegmentFile, scanSegment, type Segment, type SegmentScan } from "./segment.ts";
import { loadNewestSnapshot } from "./snapshotter.ts";
import { endOfNonZero } from "./zeros.ts";
import { Wal } from "./wal.ts";
import { replayLog } from "./replay.ts";

export interface OpenedWal {
  wal: Wal;
  metadata: WalMetadata;
  /** The last hard state written; zero values for a log that never saved one. */
  hardState: HardState;
  /** The newest usable snapshot, or null when the log starts at index 1. */
  snapshot: Snapshot | null;
  /** Every entry after the snapshot (or from index 1), in order, overwrites applied. */
  entries: Entry[];
}

export async function walExists(dataDir: string, options: WalOptions = {}): Promise<boolean> {
  const ctx = walContext(dataDir, options);
  return (await ctx.disk.list(ctx.walDir)).some((n) => parseSegmentName(n) !== null);
}

/** Creates the directories and makes each new name durable in its parent, up to the data dir's. */
async function ensureDirs(ctx: WalContext, dataDir: string): Promise<void> {
  await ctx.disk.mkdirp(ctx.walDir);
  await ctx.disk.mkdirp(ctx.snapDir);
  for (const dir of new Set([dirname(ctx.walDir), dirname(ctx.snapDir), dataDir])) await ctx.disk.fsyncDir(dir);
  // The data dir's own parent is the user's (may not be ours to open); best effort.
  await ctx.disk.fsyncDir(dirname(dataDir)).catch((err) => ctx.log(`wal: could not fsync ${dirname(dataDir)}: ${(err as Error).message}`));
}

/** A fresh log for a new member: segment 0 holding the metadata and an empty snapshot marker. */
export async function createWal(dataDir: string, metadata: WalMetadata, options: WalOptions = {}): Promise<Wal> {
  const ctx = walContext(dataDir, options);
  if (await walExists(dataDir, options)) throw new Error(`wal: ${ctx.walDir} already holds a WAL`);
  await ensureDirs(ctx, dataDir);
  const w = new FrameWriter(0);
  w.add({ type: RecordType.Crc, crc: 0 });
  w.add({ type: RecordType.Metadata, metadata });
  w.add({ type: RecordType.Snapshot, marker: { index: 0, term: 0 } });
  const head = w.take();
  const { segment, file } = await createSegmentFile(ctx, { seq: 0, firstIndex: 0 }, head);
  return new Wal(ctx, { metadata, segments: [segment], file, offset: head.length, crc: w.crc, lastIndex: 0, hardState: undefined, snapshotIndex: 0 });
}

async function listSegments(ctx: WalContext): Promise<Segment[]> {
  const segs: Segment[] = [];
  for (const name of await ctx.disk.list(ctx.walDir)) {
    // A temp file is a cut or snapshot that never completed; nothing was acknowledged from it.
    if (name.endsWith(".tmp")) {
      await ctx.disk.unlink(joinPath(ctx.walDir, name));
      continue;
    }
    const p = parseSegmentName(name);
    if (p) segs.push({ ...p, path: joinPath(ctx.walDir, name) });
  }
  segs.sort((a, b) => a.seq - b.seq);
  if (segs.length === 0) throw new WalCorruptError(ctx.walDir, 0, "no WAL segments");
  for (let i = 1; i < segs.length; i++) {
    if (segs[i]!.seq !== segs[i - 1]!.seq + 1) throw new WalCorruptError(segs[i]!.path, 0, `missing segment: sequence jumps from ${segs[i - 1]!.seq} to ${segs[i]!.seq}`);
  }
  return segs;
}

/** Keeps the torn bytes in `<segment>.broken`, then cuts them off and re-preallocates. */
async function repairTornTail(ctx: WalContext, seg: Segment, buf: Uint8Array, torn: { offset: number; reason: string }): Promise<void> {
  const bad = buf.subarray(torn.offset, Math.max(torn.offset, (endOfNonZero(buf) + 7) & ~7));
  const brokenPath = `${seg.path}.broken`;
  const broken = await ctx.disk.open(brokenPath, { create: true });
  try {
    await broken.truncate(0);
    await broken.write(0, bad);
    await broken.fsync();
  } finally {
    await broken.close();
  }
  await ctx.disk.fsyncDir(ctx.walDir);
  const file = await ctx.disk.open(seg.path);
  try {
    await file.truncate(torn.offset);
    if (ctx.segmentSizeBytes > torn.offset) await file.truncate(ctx.segmentSizeBytes);
    await file.fsync();
  } finally {
    await file.close();
  }
  ctx.log(`wal: repaired torn tail of ${seg.path} at offset ${torn.offset} (${torn.reason}); ${bad.length} bytes kept in ${brokenPath}`);
}

const READ_CHUNK_BYTES = 1 << 20;

/**
 * A segment's bytes up to and including the first all-zero MiB: the rest of a 64 MB
 * preallocated segment is zeros, and reading it all made every restart pay for 64 MB. Entry
 * payloads never hold a MiB of zero bytes (requests are JSON text), so a zero MiB is the
 * preallocated tail; the scanner treats it exactly as it treats zeros up to the end.
 */
async function readSegment(ctx: WalContext, path: string): Promise<Uint8Array> {
  const file = await ctx.disk.open(path);
  try {
    const size = await file.size();
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (let offset = 0; offset < size; offset += READ_CHUNK_BYTES) {
      const chunk = await file.read(offset, Math.min(READ_CHUNK_BYTES, size - offset));
      chunks.push(chunk);
      total += chunk.length;
      if (chunk.length === READ_CHUNK_BYTES && isAllZero(chunk)) break;
    }
    const out = new Uint8Array(total);
    let at = 0;
    for (const c of chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  } finally {
    await file.close();
  }
}

function isAllZero(bytes: Uint8Array): boolean {
  if (bytes.byteOffset % 4 !== 0) return bytes.every((b) => b === 0);
  const words = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >>> 2);
  for (let i = 0; i < words.length; i++) if (words[i] !== 0) return false;
  return true;
}

export interface OpenWalOptions extends WalOptions {
  /** When given, the WAL must belong to this member and cluster. */
  metadata?: WalMetadata;
}

export async function openWal(dataDir: string, options: OpenWalOptions = {}): Promise<OpenedWal> {
  const ctx = walContext(dataDir, options);
  await ensureDirs(ctx, dataDir);
  for (const name of await ctx.disk.list(ctx.snapDir)) {
    if (name.endsWith(".tmp")) await ctx.disk.unlink(joinPath(ctx.snapDir, name));
  }
  const segments = await listSegments(ctx);
  const scans: SegmentScan[] = [];
  let lastBuf: Uint8Array = new Uint8Array(0);
  for (let i = 0; i < segments.length; i++) {
    const isLast = i === segments.length - 1;
    const buf = await readSegment(ctx, segments[i]!.path);
    scans.push(scanSegment(buf, { path: segments[i]!.path, isLast, prevCrc: i > 0 ? scans[i - 1]!.crc : undefined }));
    if (isLast) lastBuf = buf;
  }
  const log = replayLog(segments, scans, options.metadata);
  const usable = (m: SnapshotMetadata) => m.index >= log.baseIndex && log.snapshotMatches(m.index, m.term);
  const snapshot = await loadNewestSnapshot(ctx, usable);
  const snapIndex = snapshot?.metadata.index ?? 0;
  if (snapIndex < log.baseIndex) {
    throw new WalCorruptError(segments[0]!.path, 0, `missing segment: the WAL starts after index ${log.baseIndex} but no usable snapshot covers it`);
  }
  const lastIndex = Math.max(log.lastIndex, snapIndex);
  if (log.hardState.commit > lastIndex) {
    const last = segments[segments.length - 1]!;
    throw new WalCorruptError(last.path, scans[scans.length - 1]!.endOffset, `missing entries: commit index ${log.hardState.commit} but the log ends at ${lastIndex}`);
  }
  const lastSeg = segments[segments.length - 1]!;
  const lastScan = scans[scans.length - 1]!;
  if (lastScan.torn) await repairTornTail(ctx, lastSeg, lastBuf, lastScan.torn);
  const file = await ctx.disk.open(lastSeg.path);
  if ((await file.size()) < ctx.segmentSizeBytes) {
    await file.truncate(ctx.segmentSizeBytes);
    await file.fsync();
  }
  const wal = new Wal(ctx, {
    metadata: log.metadata,
    segments,
    file,
    offset: lastScan.endOffset,
    crc: lastScan.crc,
    lastIndex,
    hardState: log.hardStateSeen ? log.hardState : undefined,
    snapshotIndex: snapIndex,
  });
  return { wal, metadata: log.metadata, hardState: log.hardState, snapshot, entries: log.entriesAfter(snapIndex) };
}
