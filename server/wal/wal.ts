// The open write-ahead log: appends what each Raft Ready hands out with one fdatasync per batch
// (group commit), cuts segments, records snapshots and releases what they cover.
import type { Entry, HardState, Snapshot } from "../raft/types.ts";
import { RecordType, checkEntryEncodable, checkHardStateEncodable, encodePayload, type SnapshotMarker, type WalMetadata } from "./codec.ts";
import type { WalContext } from "./context.ts";
import type { DiskFile } from "./disk.ts";
import { WalFailedError } from "./errors.ts";
import { FrameWriter, type QueuedRecord, queuedFrameBytes } from "./frame.ts";
import { createSegmentFile, type Segment } from "./segment.ts";
import { purgeSnapshots, readSnapshotData, writeSnapshotFile } from "./snapshotter.ts";

interface Pending {
  /** Framed (CRC chained) at flush, in this order. */
  records: QueuedRecord[];
  /** The last entry's index becomes the log's end (it may move back: Raft truncated a suffix). */
  lastEntryIndex?: number;
  /** A snapshot marker moves the log's end up to it when past it (a snapshot from the leader). */
  markerIndex?: number;
  hardState?: HardState;
  /** False only for a save that may stay in the page cache until the next synced batch. */
  sync: boolean;
  resolve: () => void;
  reject: (err: Error) => void;
}

interface SaveRequest {
  hardState?: HardState;
  entries: readonly Entry[];
  marker?: SnapshotMarker;
  sync?: boolean;
}

const unsettled = (): void => {};

/** A frame buffer grown past this by a large batch is dropped after the write rather than kept. */
const FRAME_BUFFER_KEEP_BYTES = 1 << 20;

/** How long a bare hard state saved with sync: false may wait for a batch to ride along with. */
const HELD_HARD_STATE_MAX_MS = 100;

/**
 * The queued form of a save: entries, then hard state, then snapshot marker, the order replay
 * expects. The caller sets resolve and reject (present here so every Pending has one shape).
 */
function encodeRequest(req: SaveRequest): Pending {
  const records: Pending["records"] = [];
  for (const entry of req.entries) {
    checkEntryEncodable(entry);
    records.push({ kind: "entry", entry });
  }
  if (req.hardState) {
    checkHardStateEncodable(req.hardState);
    records.push({ kind: "hardState", hardState: req.hardState });
  }
  if (req.marker) records.push({ kind: "encoded", type: RecordType.Snapshot, payload: encodePayload({ type: RecordType.Snapshot, marker: req.marker }) });
  const lastEntry = req.entries[req.entries.length - 1];
  // Entries and markers are always synced; only a bare hard state may skip it when asked.
  const sync = req.sync !== false || req.entries.length > 0 || req.marker !== undefined;
  return { records, hardState: req.hardState, lastEntryIndex: lastEntry?.index, markerIndex: req.marker?.index, sync, resolve: unsettled, reject: unsettled };
}

/** Where the log stands; openWal/createWal build it from disk. */
export interface WalState {
  metadata: WalMetadata;
  segments: Segment[];
  file: DiskFile;
  offset: number;
  crc: number;
  lastIndex: number;
  hardState: HardState | undefined;
  /** Index of the newest snapshot whose marker is durable: nothing at or below it may be released beyond. */
  snapshotIndex: number;
}

export class Wal {
  private queue: Pending[] = [];
  /** Every batch is framed here; see FrameWriter.restart. */
  private frames = new FrameWriter(0);
  /** True while a flush loop runs; cleared in the same turn it sees the queue empty. */
  private flushing = false;
  private flushDone: Promise<void> = Promise.resolve();
  private failed: WalFailedError | null = null;
  /** Highest index queued so far (entries or snapshot markers), flushed or not. */
  private queuedLastIndex: number;
  /** Set while a snapshot past the end of the log is being written; later saves wait for it. */
  private installGate: Promise<void> | null = null;
  private closed = false;
  /**
   * Bare hard states saved with sync: false, not yet queued: they ride along with the next save
   * (the one that follows them at one client: the next write's entries), or leave on their own
   * within HELD_HARD_STATE_MAX_MS. etcd's WAL keeps such a record in its write buffer until the
   * next sync the same way; writing it at once cost the leader a write() and a batch per
   * client write. Only the newest one's record is written: it supersedes the others.
   */
  private held: Pending[] = [];
  /** Runs while hard states are being held, so an idle log keeps no timer. */
  private heldTimer: ReturnType<typeof setInterval> | null = null;
  /** Batches written and synced so far (for stats and the group-commit bench). */
  syncCount = 0;

  constructor(
    private readonly ctx: WalContext,
    private readonly state: WalState,
  ) {
    this.queuedLastIndex = state.lastIndex;
  }

  /** Why the WAL stopped accepting writes, for /health and the log; null while healthy. */
  get failure(): WalFailedError | null {
    return this.failed;
  }

  get metadata(): WalMetadata {
    return this.state.metadata;
  }

  get lastIndex(): number {
    return this.state.lastIndex;
  }

  /** Segment file paths, oldest first. */
  get segmentPaths(): string[] {
    return this.state.segments.map((s) => s.path);
  }

  /**
   * Persists `entries` then `hardState` and resolves once they are on disk. Calls made while a
   * sync is in flight are written together and share the next one.
   * `sync: false` (Raft's `mustSync` was false: only the commit index moved) writes a bare hard
   * state without an fdatasync of its own, and not even at once: it is written with the next
   * save (or within HELD_HARD_STATE_MAX_MS, or at close) and resolves then, reaching the disk
   * with the next synced batch. Losing it loses nothing: the commit index is learned again.
   */
  save(hardState: HardState | undefined, entries: readonly Entry[], opts: { sync?: boolean } = {}): Promise<void> {
    if (!hardState && entries.length === 0) return this.failed ? Promise.reject(this.failed) : Promise.resolve();
    const req = { hardState, entries, sync: opts.sync };
    const gate = this.installGate;
    if (gate) return gate.then(() => this.enqueue(req));
    return this.enqueue(req);
  }

  /** The data of a snapshot saved earlier, read back from its file (it may have been purged since). */
  snapshotData(m: { index: number; term: number }): Promise<Uint8Array> {
    return readSnapshotData(this.ctx, m);
  }

  /**
   * Writes the snapshot file (off the append path: appends keep flowing meanwhile), then its
   * marker in the WAL, then releases segments and snapshot files it makes unnecessary.
   * A snapshot past the end of the log (one received from the leader) holds back saves issued
   * after it until its marker is queued, since their entries continue from it.
   */
  async saveSnapshot(snap: Snapshot): Promise<void> {
    this.assertWritable();
    const marker = { index: snap.metadata.index, term: snap.metadata.term };
    let markerDurable: Promise<void> = Promise.resolve();
    const markerQueued = writeSnapshotFile(this.ctx, snap).then(
      () => void (markerDurable = this.enqueue({ entries: [], marker })),
      (err) => {
        throw this.fail(err);
      },
    );
    if (marker.index > this.queuedLastIndex) {
      const gate = markerQueued.catch(() => {});
      this.installGate = gate;
      this.queuedLastIndex = marker.index;
      void gate.then(() => {
        if (this.installGate === gate) this.installGate = null;
      });
    }
    await markerQueued;
    await markerDurable;
    this.state.snapshotIndex = Math.max(this.state.snapshotIndex, marker.index);
    await this.releaseTo(marker.index).catch((err) => {
      throw this.fail(err);
    });
    try {
      await purgeSnapshots(this.ctx);
    } catch (err) {
      this.ctx.log(`wal: could not purge old snapshots: ${(err as Error).message}`);
    }
  }

  /**
   * Segments holding only entries below `index` become deletable, but never past the newest
   * durable snapshot; the oldest deletable ones are removed while more than maxWals remain.
   */
  async releaseTo(index: number): Promise<void> {
    const upTo = Math.min(index, this.state.snapshotIndex);
    const segs = this.state.segments;
    let keepFrom = 0;
    for (let i = 0; i < segs.length; i++) if (segs[i]!.firstIndex <= upTo) keepFrom = i;
    const excess = this.ctx.maxWals > 0 ? segs.length - this.ctx.maxWals : 0;
    const remove = Math.max(0, Math.min(keepFrom, excess));
    // Oldest first, each made durable before the next, so a crash never leaves a hole in the sequence.
    for (const seg of segs.splice(0, remove)) {
      await this.ctx.disk.unlink(seg.path);
      await this.ctx.disk.fsyncDir(this.ctx.walDir);
      this.ctx.log(`wal: purged ${seg.path}`);
    }
  }

  /** Waits for queued saves, then closes the file; later saves reject. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopHeldTimer();
    this.releaseHeld();
    while (this.flushing) await this.flushDone;
    await this.state.file.close();
  }

  private assertWritable(): void {
    if (this.failed) throw this.failed;
    if (this.closed) throw new Error("wal: closed");
  }

  private enqueue(req: SaveRequest): Promise<void> {
    let pending: Pending;
    try {
      this.assertWritable();
      pending = encodeRequest(req);
    } catch (err) {
      return Promise.reject(err);
    }
    const last = req.entries[req.entries.length - 1];
    if (last) this.queuedLastIndex = last.index;
    const { promise, resolve, reject } = Promise.withResolvers<void>();
    pending.resolve = resolve;
    pending.reject = reject;
    if (!pending.sync) {
      // Superseded: the newer hard state is written in its place, and settles this one with it.
      const previous = this.held[this.held.length - 1];
      if (previous) previous.records = [];
      this.held.push(pending);
      if (this.heldTimer === null) {
        this.heldTimer = setInterval(this.onHeldTimer, HELD_HARD_STATE_MAX_MS);
        this.heldTimer.unref?.();
      }
      return promise;
    }
    this.queueHeld();
    this.queue.push(pending);
    this.startFlush();
    return promise;
  }

  /** Held hard states go ahead of whatever is queued next: they were saved before it. */
  private queueHeld(): void {
    if (this.held.length === 0) return;
    for (const p of this.held) this.queue.push(p);
    this.held = [];
  }

  private releaseHeld(): void {
    if (this.held.length === 0) return;
    this.queueHeld();
    this.startFlush();
  }

  // Bound once. A pass with nothing held (the saves that followed took it along) stops the timer.
  private readonly onHeldTimer = (): void => {
    if (this.held.length === 0) this.stopHeldTimer();
    else this.releaseHeld();
  };

  private stopHeldTimer(): void {
    if (this.heldTimer === null) return;
    clearInterval(this.heldTimer);
    this.heldTimer = null;
  }

  private startFlush(): void {
    if (!this.flushing) {
      this.flushing = true;
      // Start one microtask later so every save issued in this turn (e.g. by the continuations
      // of the batch that just completed) lands in the same batch.
      this.flushDone = Promise.resolve().then(this.runFlushLoop);
    }
  }

  // Bound once: a save at one client starts a new flush loop almost every time.
  private readonly runFlushLoop = (): Promise<void> => this.flushLoop();

  private async flushLoop(): Promise<void> {
    for (;;) {
      // No await between this check and clearing the flag: a save queued by a continuation of
      // the last batch must start a new loop, not join one that is about to return.
      if (this.queue.length === 0) {
        this.flushing = false;
        return;
      }
      const batch = this.queue;
      this.queue = [];
      if (this.failed) {
        for (const p of batch) p.reject(this.failed);
        continue;
      }
      try {
        await this.writeBatch(batch);
      } catch (err) {
        // Anything thrown here (a failed write or sync, or a bug) leaves the file in an unknown
        // state past the last sync: stop writing until a restart re-reads it.
        const failure = this.fail(err);
        for (const p of batch) p.reject(failure);
        continue;
      }
      for (const p of batch) p.resolve();
      if (this.state.offset >= this.ctx.segmentSizeBytes) await this.cut().catch((err) => this.fail(err));
    }
  }

  private async writeBatch(batch: Pending[]): Promise<void> {
    const s = this.state;
    let bytes = 0;
    for (const p of batch) for (const r of p.records) bytes += queuedFrameBytes(r);
    const w = this.frames;
    w.restart(s.crc, bytes);
    let lastIndex = s.lastIndex;
    let hardState = s.hardState;
    for (const p of batch) {
      for (const r of p.records) w.addQueued(r);
      if (p.lastEntryIndex !== undefined) lastIndex = p.lastEntryIndex;
      if (p.markerIndex !== undefined) lastIndex = Math.max(lastIndex, p.markerIndex);
      hardState = p.hardState ?? hardState;
    }
    const buf = w.written();
    await s.file.write(s.offset, buf);
    let sync = false;
    for (const p of batch) sync ||= p.sync;
    if (sync) await s.file.fdatasync();
    s.offset += buf.length;
    s.crc = w.crc;
    s.lastIndex = lastIndex;
    s.hardState = hardState;
    if (sync) this.syncCount++;
    // The write is done with the buffer; one grown for a large batch is not kept.
    if (w.allocatedBytes > FRAME_BUFFER_KEEP_BYTES) this.frames = new FrameWriter(0);
  }

  /** Seals the full segment at its used length and continues in a fresh preallocated one. */
  private async cut(): Promise<void> {
    const s = this.state;
    await s.file.truncate(s.offset);
    await s.file.fsync();
    const w = new FrameWriter(s.crc);
    w.add({ type: RecordType.Crc, crc: s.crc });
    w.add({ type: RecordType.Metadata, metadata: s.metadata });
    // Older segments may be released, so each one restates the hard state it starts from.
    if (s.hardState) w.add({ type: RecordType.HardState, hardState: s.hardState });
    const head = w.take();
    const prev = s.segments[s.segments.length - 1]!;
    const { segment, file } = await createSegmentFile(this.ctx, { seq: prev.seq + 1, firstIndex: s.lastIndex + 1 }, head);
    await s.file.close();
    s.segments.push(segment);
    s.file = file;
    s.offset = head.length;
    s.crc = w.crc;
  }

  private fail(err: unknown): WalFailedError {
    if (!this.failed) {
      this.failed = new WalFailedError(err);
      this.ctx.log(this.failed.message);
    }
    return this.failed;
  }
}
