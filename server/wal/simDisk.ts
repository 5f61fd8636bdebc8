// A simulated disk that models what a real one does on power loss, for deterministic crash
// tests and the cluster simulator. Everything is in memory and seeded:
// - file bytes written since the file's last fsync/fdatasync survive a crash sector by sector
//   (each dirty sector independently keeps its new or its old content: torn writes), and a size
//   change since then may or may not survive;
// - directory changes (create, rename, unlink) since the directory's last fsyncDir survive as a
//   random prefix of the order they happened in (a journaling file system keeps them ordered);
// - bits can be flipped on demand (rot), and any operation can be made to fail (ENOSPC, EIO).
// Simplification: directories themselves are durable as soon as mkdirp returns.
import { DiskError, basename, dirname, joinPath, type Disk, type DiskFile } from "./disk.ts";

export type SimOpKind = "open" | "write" | "truncate" | "fsync" | "fdatasync" | "rename" | "unlink" | "fsyncDir";

export interface SimOp {
  kind: SimOpKind;
  path: string;
}

/** Returns an error to make `op` fail, or undefined to let it run. */
export type FaultInjector = (op: SimOp) => Error | undefined;

export interface SimDiskOptions {
  seed?: number;
  sectorBytes?: number;
  /** Total bytes of file content the disk holds; writes past it fail with ENOSPC. */
  capacityBytes?: number;
}

/** What survives of unsynced state on crash: a seeded mix (default), nothing, or everything. */
export type CrashMode = "torn" | "loseAll" | "keepAll";

interface Inode {
  data: Uint8Array;
  size: number;
  durable: Uint8Array;
  dirtySectors: Set<number>;
  sizeDirty: boolean;
}

interface DirOp {
  name: string;
  inode: Inode | null;
}

interface Dir {
  entries: Map<string, Inode>;
  durable: Map<string, Inode>;
  pending: DirOp[];
}

/** mulberry32: tiny, fast, good enough to pick crash outcomes reproducibly. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class SimDisk implements Disk {
  private readonly dirs = new Map<string, Dir>();
  private readonly random: () => number;
  private readonly sectorBytes: number;
  /** Mutable so a test can free space before a restart. */
  capacityBytes: number;
  private faults: FaultInjector | undefined;
  /** Handles from before a crash belong to a dead process and must not touch the disk. */
  private generation = 0;
  /** Mutating operations run so far: a test counts them once, then crashes at each one. */
  opCount = 0;

  constructor(options: SimDiskOptions = {}) {
    this.random = rng(options.seed ?? 1);
    this.sectorBytes = options.sectorBytes ?? 512;
    this.capacityBytes = options.capacityBytes ?? Number.POSITIVE_INFINITY;
  }

  /** Installs (or with undefined removes) a fault injector consulted before each mutating op. */
  injectFaults(injector: FaultInjector | undefined): void {
    this.faults = injector;
  }

  /** From the `opIndex`-th mutating op on (0-based), every op fails: the process is dead. */
  haltAt(opIndex: number): void {
    const start = this.opCount;
    this.injectFaults(() => (this.opCount - start >= opIndex ? new DiskError("EIO", "simulated process halt") : undefined));
  }

  /** Power loss: unsynced state is lost or torn as described above; open handles go stale. */
  crash(mode: CrashMode = "torn"): void {
    this.generation++;
    this.faults = undefined;
    const seen = new Set<Inode>();
    for (const dir of this.dirs.values()) {
      const keep = mode === "keepAll" ? dir.pending.length : mode === "loseAll" ? 0 : Math.floor(this.random() * (dir.pending.length + 1));
      const entries = new Map(dir.durable);
      for (const op of dir.pending.slice(0, keep)) {
        if (op.inode) entries.set(op.name, op.inode);
        else entries.delete(op.name);
      }
      dir.entries = entries;
      dir.durable = new Map(entries);
      dir.pending = [];
      for (const inode of entries.values()) seen.add(inode);
    }
    for (const inode of seen) this.crashInode(inode, mode);
  }

  private crashInode(inode: Inode, mode: CrashMode): void {
    const keepSize = mode === "keepAll" || (mode === "torn" && inode.sizeDirty && this.random() < 0.5);
    const size = keepSize || !inode.sizeDirty ? inode.size : inode.durable.length;
    const next = new Uint8Array(size);
    next.set(inode.durable.subarray(0, size));
    for (const sector of inode.dirtySectors) {
      const keep = mode === "keepAll" || (mode === "torn" && this.random() < 0.5);
      if (!keep) continue;
      const from = sector * this.sectorBytes;
      if (from >= size) continue;
      next.set(inode.data.subarray(from, Math.min(size, from + this.sectorBytes, inode.size)), from);
    }
    inode.data = next;
    inode.size = size;
    inode.durable = next.slice();
    inode.dirtySectors.clear();
    inode.sizeDirty = false;
  }

  /** Bit rot: flips one bit in both the live and the durable content. */
  flipBit(path: string, byteOffset: number, bit = 0): void {
    const inode = this.lookup(path);
    if (byteOffset >= inode.size) throw new DiskError("EIO", `flipBit past end of ${path}`);
    inode.data[byteOffset]! ^= 1 << bit;
    if (byteOffset < inode.durable.length) inode.durable[byteOffset]! ^= 1 << bit;
  }

  /** Seeded rot for simulation campaigns: flips `count` random bits in files `select` accepts. */
  flipRandomBits(count: number, select: (path: string) => boolean = () => true): { path: string; byteOffset: number; bit: number }[] {
    const files: string[] = [];
    for (const [dir, d] of this.dirs) {
      for (const [name, inode] of d.entries) {
        const path = joinPath(dir, name);
        if (inode.size > 0 && select(path)) files.push(path);
      }
    }
    files.sort();
    const flips: { path: string; byteOffset: number; bit: number }[] = [];
    for (let i = 0; i < count && files.length > 0; i++) {
      const path = files[Math.floor(this.random() * files.length)]!;
      const byteOffset = Math.floor(this.random() * this.lookup(path).size);
      const bit = Math.floor(this.random() * 8);
      this.flipBit(path, byteOffset, bit);
      flips.push({ path, byteOffset, bit });
    }
    return flips;
  }

  /** Bytes of a file as they are now (for assertions). */
  peek(path: string): Uint8Array {
    const inode = this.lookup(path);
    return inode.data.slice(0, inode.size);
  }

  usedBytes(): number {
    const seen = new Set<Inode>();
    for (const dir of this.dirs.values()) for (const inode of dir.entries.values()) seen.add(inode);
    let total = 0;
    for (const inode of seen) total += inode.size;
    return total;
  }

  // ---- Disk ----

  async open(path: string, options: { create?: boolean } = {}): Promise<DiskFile> {
    const dir = this.dir(dirname(path));
    let inode = dir.entries.get(basename(path));
    if (!inode) {
      if (!options.create) throw new DiskError("ENOENT", `no such file ${path}`);
      this.check({ kind: "open", path });
      inode = { data: new Uint8Array(0), size: 0, durable: new Uint8Array(0), dirtySectors: new Set(), sizeDirty: false };
      this.dirChange(dir, basename(path), inode);
    }
    return new SimFile(this, path, inode, this.generation);
  }

  async readFile(path: string): Promise<Uint8Array> {
    return this.peek(path);
  }

  async list(dir: string): Promise<string[]> {
    const d = this.dirs.get(normalize(dir));
    return d ? [...d.entries.keys()].sort() : [];
  }

  async exists(path: string): Promise<boolean> {
    const norm = normalize(path);
    if (this.dirs.has(norm)) return true;
    return this.dirs.get(dirname(norm))?.entries.has(basename(norm)) ?? false;
  }

  async mkdirp(dir: string): Promise<void> {
    for (let d = normalize(dir); !this.dirs.has(d); d = dirname(d)) {
      this.dirs.set(d, { entries: new Map(), durable: new Map(), pending: [] });
      if (d === "/" || d === ".") break;
    }
  }

  async rename(from: string, to: string): Promise<void> {
    const src = this.dir(dirname(from));
    const inode = src.entries.get(basename(from));
    if (!inode) throw new DiskError("ENOENT", `no such file ${from}`);
    this.check({ kind: "rename", path: to });
    this.dirChange(src, basename(from), null);
    this.dirChange(this.dir(dirname(to)), basename(to), inode);
  }

  async unlink(path: string): Promise<void> {
    const dir = this.dir(dirname(path));
    if (!dir.entries.has(basename(path))) throw new DiskError("ENOENT", `no such file ${path}`);
    this.check({ kind: "unlink", path });
    this.dirChange(dir, basename(path), null);
  }

  async fsyncDir(path: string): Promise<void> {
    const dir = this.dir(path);
    this.check({ kind: "fsyncDir", path });
    dir.durable = new Map(dir.entries);
    dir.pending = [];
  }

  // ---- used by SimFile ----

  /** Counts a mutating op and lets the fault injector veto it. */
  check(op: SimOp, generation = this.generation): void {
    if (generation !== this.generation) throw new DiskError("EBADF", `stale handle from before a crash: ${op.path}`);
    const err = this.faults?.(op);
    this.opCount++;
    if (err) throw err;
  }

  writeInode(inode: Inode, offset: number, data: Uint8Array, path: string): void {
    const end = offset + data.length;
    const grow = Math.max(0, end - inode.size);
    if (grow > 0 && this.usedBytes() + grow > this.capacityBytes) {
      // A real write may take part of the data before running out; it stops at a sector boundary.
      const room = Math.max(0, this.capacityBytes - this.usedBytes());
      const stop = Math.floor((inode.size + room) / this.sectorBytes) * this.sectorBytes;
      const partial = Math.min(data.length, Math.max(0, stop - offset));
      if (partial > 0) this.writeInode(inode, offset, data.subarray(0, partial), path);
      throw new DiskError("ENOSPC", `no space left writing ${path}`);
    }
    this.resize(inode, Math.max(inode.size, end));
    inode.data.set(data, offset);
    for (let s = Math.floor(offset / this.sectorBytes); s * this.sectorBytes < end; s++) inode.dirtySectors.add(s);
  }

  truncateInode(inode: Inode, sizeBytes: number, path: string): void {
    if (sizeBytes > inode.size && this.usedBytes() + sizeBytes - inode.size > this.capacityBytes) {
      throw new DiskError("ENOSPC", `no space left growing ${path}`);
    }
    this.resize(inode, sizeBytes);
  }

  private resize(inode: Inode, size: number): void {
    if (size === inode.size) return;
    if (size > inode.data.length) {
      const next = new Uint8Array(Math.max(size, inode.data.length * 2));
      next.set(inode.data.subarray(0, inode.size));
      inode.data = next;
    } else if (size < inode.size) {
      inode.data.fill(0, size, inode.size);
    }
    inode.size = size;
    inode.sizeDirty = true;
  }

  syncInode(inode: Inode): void {
    inode.durable = inode.data.slice(0, inode.size);
    inode.dirtySectors.clear();
    inode.sizeDirty = false;
  }

  get currentGeneration(): number {
    return this.generation;
  }

  private lookup(path: string): Inode {
    const inode = this.dirs.get(dirname(normalize(path)))?.entries.get(basename(path));
    if (!inode) throw new DiskError("ENOENT", `no such file ${path}`);
    return inode;
  }

  private dir(path: string): Dir {
    const d = this.dirs.get(normalize(path));
    if (!d) throw new DiskError("ENOENT", `no such directory ${path}`);
    return d;
  }

  private dirChange(dir: Dir, name: string, inode: Inode | null): void {
    if (inode) dir.entries.set(name, inode);
    else dir.entries.delete(name);
    dir.pending.push({ name, inode });
  }
}

function normalize(path: string): string {
  return path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path;
}

class SimFile implements DiskFile {
  private closed = false;

  constructor(
    private readonly disk: SimDisk,
    readonly path: string,
    private readonly inode: Inode,
    private readonly generation: number,
  ) {}

  private live(kind: SimOpKind): void {
    if (this.closed) throw new DiskError("EBADF", `${kind} on closed file ${this.path}`);
    this.disk.check({ kind, path: this.path }, this.generation);
  }

  async size(): Promise<number> {
    return this.inode.size;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    if (this.generation !== this.disk.currentGeneration) throw new DiskError("EBADF", `stale handle ${this.path}`);
    return this.inode.data.slice(Math.min(offset, this.inode.size), Math.min(offset + length, this.inode.size));
  }

  async write(offset: number, data: Uint8Array): Promise<void> {
    this.live("write");
    this.disk.writeInode(this.inode, offset, data, this.path);
  }

  async truncate(sizeBytes: number): Promise<void> {
    this.live("truncate");
    this.disk.truncateInode(this.inode, sizeBytes, this.path);
  }

  async fsync(): Promise<void> {
    this.live("fsync");
    this.disk.syncInode(this.inode);
  }

  async fdatasync(): Promise<void> {
    this.live("fdatasync");
    this.disk.syncInode(this.inode);
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
