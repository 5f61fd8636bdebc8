// Disk on the real file system through node:fs. Two flavours, chosen by measurement
// (bench/wal.ts): `async` runs slow syncs and large calls on libuv's thread pool so the event loop
// keeps accepting writes while an fdatasync is in flight (that is what makes group commit batch),
// and syncs in place on a device fast enough that the pool's round trip would cost more (SyncPlacement);
// `sync` blocks the loop but costs less per call when nothing else is waiting.
import * as fs from "node:fs";
import type { Disk, DiskFile } from "./disk.ts";

export interface RealDiskOptions {
  /** Use the blocking *Sync calls instead of the thread pool. Default false. */
  blocking?: boolean;
}

interface FileOps {
  read(fd: number, buf: Uint8Array, offset: number): Promise<number>;
  write(fd: number, data: Uint8Array, offset: number): Promise<number>;
  ftruncate(fd: number, size: number): Promise<void>;
  fsync(fd: number): Promise<void>;
  fdatasync(fd: number): Promise<void>;
  fstatSize(fd: number): Promise<number>;
  close(fd: number): Promise<void>;
  /** RealFile.write does writes up to this size in place with writeSync; `write` gets the rest. */
  writeInPlaceMaxBytes?: number;
}

function promised<T>(run: (cb: (err: NodeJS.ErrnoException | null, v?: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => run((err, v) => (err ? reject(err) : resolve(v as T))));
}

const INLINE_WRITE_MAX_BYTES = 256 * 1024;

/**
 * What a call done in place returns (each WAL batch makes two): one settled promise shared by
 * all, rather than a promise and its callbacks per call. A throw becomes a rejection instead.
 */
const DONE: Promise<void> = Promise.resolve();

const asyncOps: FileOps = {
  read: (fd, buf, offset) => promised<number>((cb) => fs.read(fd, buf, 0, buf.length, offset, cb)),
  write: (fd, data, offset) => promised<number>((cb) => fs.write(fd, data, 0, data.length, offset, cb)),
  // A small write only copies into the page cache: done in place, it costs microseconds where a
  // thread-pool round trip costs tens of them on the WAL's critical path. Large ones (segment
  // preallocation, snapshot files) still go to the pool so the loop keeps serving.
  writeInPlaceMaxBytes: INLINE_WRITE_MAX_BYTES,
  ftruncate: (fd, size) => promised<void>((cb) => fs.ftruncate(fd, size, cb)),
  fsync: (fd) => promised<void>((cb) => fs.fsync(fd, cb)),
  fdatasync: (fd) => promised<void>((cb) => fs.fdatasync(fd, cb)),
  fstatSize: (fd) => promised<fs.Stats>((cb) => fs.fstat(fd, cb)).then((s) => s.size),
  close: (fd) => promised<void>((cb) => fs.close(fd, cb)),
};

// Wrapped in async functions so a thrown error becomes a rejection, as with asyncOps.
const blockingOps: FileOps = {
  read: async (fd, buf, offset) => fs.readSync(fd, buf, 0, buf.length, offset),
  write: async (fd, data, offset) => fs.writeSync(fd, data, 0, data.length, offset),
  ftruncate: async (fd, size) => fs.ftruncateSync(fd, size),
  fsync: async (fd) => fs.fsyncSync(fd),
  fdatasync: async (fd) => fs.fdatasyncSync(fd),
  fstatSize: async (fd) => fs.fstatSync(fd).size,
  close: async (fd) => fs.closeSync(fd),
};

class RealFile implements DiskFile {
  constructor(
    readonly path: string,
    private readonly fd: number,
    private readonly ops: FileOps,
  ) {}

  size(): Promise<number> {
    return this.ops.fstatSize(this.fd);
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    const buf = new Uint8Array(length);
    let got = 0;
    while (got < length) {
      const n = await this.ops.read(this.fd, buf.subarray(got), offset + got);
      if (n === 0) break;
      got += n;
    }
    return got === length ? buf : buf.subarray(0, got);
  }

  write(offset: number, data: Uint8Array): Promise<void> {
    // The WAL's batches (see asyncOps): in place, without a promise per partial write.
    if (data.length <= (this.ops.writeInPlaceMaxBytes ?? -1)) {
      try {
        let done = 0;
        while (done < data.length) done += fs.writeSync(this.fd, data, done, data.length - done, offset + done);
        return DONE;
      } catch (e) {
        return Promise.reject(e);
      }
    }
    return this.writeInParts(offset, data);
  }

  private async writeInParts(offset: number, data: Uint8Array): Promise<void> {
    let done = 0;
    while (done < data.length) done += await this.ops.write(this.fd, data.subarray(done), offset + done);
  }

  truncate(sizeBytes: number): Promise<void> {
    return this.ops.ftruncate(this.fd, sizeBytes);
  }

  fsync(): Promise<void> {
    return this.ops.fsync(this.fd);
  }

  fdatasync(): Promise<void> {
    return this.ops.fdatasync(this.fd);
  }

  close(): Promise<void> {
    return this.ops.close(this.fd);
  }
}

/**
 * Where the async flavour runs fdatasync. A thread-pool round trip costs tens of microseconds of
 * latency (two thread wake-ups on a busy machine; about 50 us measured on the 2-core CI machine,
 * against 0.5 us for an in-place sync on tmpfs) before the disk does anything; a device that
 * syncs faster than that (tmpfs, NVMe with power-loss protection) is better synced in place,
 * while a slow one must stay off the loop so it keeps batching. Each in-place sync is timed.
 * One sync that blocks for long (40x the limit) moves syncs to the pool at once; otherwise it
 * takes three slow ones in a row, because on a loaded machine an isolated slow one is the thread
 * being preempted, not the device (the first version left on any one slow sync, and under
 * benchmark load spent seconds at a time on the pool for nothing). From the pool, one in-place
 * probe per interval; two fast probes in a row bring syncs back (one at startup), since a sync
 * with nothing to flush is fast even on a slow disk.
 */
export class SyncPlacement {
  private inline = false;
  private slowInARow = 0;
  /** Starts at one: the first fast probe alone decides a new disk is fast. */
  private fastProbesInARow = 1;
  private lastProbeMs = -Infinity;

  constructor(private readonly opts: { inlineMaxUs: number; probeIntervalMs: number; nowMs?: () => number }) {}

  get isInline(): boolean {
    return this.inline;
  }

  /** True when the next sync should run in place (the device is fast, or a probe is due). */
  takeInline(): boolean {
    if (this.inline) return true;
    const now = this.opts.nowMs ? this.opts.nowMs() : performance.now();
    if (now - this.lastProbeMs < this.opts.probeIntervalMs) return false;
    this.lastProbeMs = now;
    return true;
  }

  /** Feeds back how long an in-place sync took. */
  record(durationUs: number): void {
    const { inlineMaxUs } = this.opts;
    if (this.inline) {
      this.slowInARow = durationUs > inlineMaxUs * 4 ? this.slowInARow + 1 : 0;
      if (durationUs > inlineMaxUs * 40 || this.slowInARow >= 3) {
        this.inline = false;
        this.slowInARow = 0;
        this.fastProbesInARow = 0;
      }
      return;
    }
    this.fastProbesInARow = durationUs <= inlineMaxUs ? this.fastProbesInARow + 1 : 0;
    if (this.fastProbesInARow >= 2) {
      this.inline = true;
      this.slowInARow = 0;
    }
  }
}

const INLINE_SYNC_MAX_US = 50;
const SYNC_PROBE_INTERVAL_MS = 2000;

function adaptiveOps(placement: SyncPlacement): FileOps {
  return {
    ...asyncOps,
    fdatasync: (fd) => {
      if (!placement.takeInline()) return asyncOps.fdatasync(fd);
      try {
        const t0 = performance.now();
        fs.fdatasyncSync(fd);
        placement.record((performance.now() - t0) * 1000);
        return DONE;
      } catch (e) {
        return Promise.reject(e);
      }
    },
  };
}

export class RealDisk implements Disk {
  private readonly ops: FileOps;
  /** How this disk's syncs are placed (async flavour only), for tests and stats. */
  readonly syncPlacement = new SyncPlacement({ inlineMaxUs: INLINE_SYNC_MAX_US, probeIntervalMs: SYNC_PROBE_INTERVAL_MS });

  constructor(options: RealDiskOptions = {}) {
    this.ops = options.blocking ? blockingOps : adaptiveOps(this.syncPlacement);
  }

  async open(path: string, options: { create?: boolean } = {}): Promise<DiskFile> {
    const flags = fs.constants.O_RDWR | (options.create ? fs.constants.O_CREAT : 0);
    const fd = await promised<number>((cb) => fs.open(path, flags, 0o600, cb));
    return new RealFile(path, fd, this.ops);
  }

  readFile(path: string): Promise<Uint8Array> {
    return fs.promises.readFile(path).then((b) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength));
  }

  async list(dir: string): Promise<string[]> {
    try {
      return (await fs.promises.readdir(dir)).sort();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw err;
    }
  }

  async exists(path: string): Promise<boolean> {
    try {
      await fs.promises.stat(path);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return false;
      throw err;
    }
  }

  async mkdirp(dir: string): Promise<void> {
    await fs.promises.mkdir(dir, { recursive: true, mode: 0o700 });
  }

  rename(from: string, to: string): Promise<void> {
    return fs.promises.rename(from, to);
  }

  unlink(path: string): Promise<void> {
    return fs.promises.unlink(path);
  }

  async fsyncDir(dir: string): Promise<void> {
    const fd = await promised<number>((cb) => fs.open(dir, fs.constants.O_RDONLY, cb));
    try {
      await this.ops.fsync(fd);
    } finally {
      await this.ops.close(fd);
    }
  }
}
