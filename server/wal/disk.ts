// The seam between the WAL and storage. The WAL only ever touches files through this interface,
// so the same code runs on the real file system and on the simulated disk that models crashes.
// Errors carry node's `code` (ENOENT, ENOSPC, EIO...) on both implementations.

export interface DiskFile {
  readonly path: string;
  size(): Promise<number>;
  /** Reads up to `length` bytes; fewer at end of file. */
  read(offset: number, length: number): Promise<Uint8Array>;
  /** Writes all of `data` at `offset`, growing the file (zero-filled) if needed. */
  write(offset: number, data: Uint8Array): Promise<void>;
  /** Shrinks, or grows with zeros: how segments are preallocated. */
  truncate(sizeBytes: number): Promise<void>;
  /** Data and all metadata durable. */
  fsync(): Promise<void>;
  /** Data and the metadata needed to read it back (size) durable. */
  fdatasync(): Promise<void>;
  close(): Promise<void>;
}

export interface Disk {
  /** Opens read-write; with `create` a missing file is created empty (the name is durable only after fsyncDir). */
  open(path: string, options?: { create?: boolean }): Promise<DiskFile>;
  readFile(path: string): Promise<Uint8Array>;
  /** Entry names of a directory, sorted; [] when it does not exist. */
  list(dir: string): Promise<string[]>;
  exists(path: string): Promise<boolean>;
  mkdirp(dir: string): Promise<void>;
  /** Atomically replaces `to`; durable only after fsyncDir of both parents. */
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  fsyncDir(dir: string): Promise<void>;
}

export type DiskErrorCode = "ENOENT" | "EEXIST" | "ENOSPC" | "EIO" | "EBADF" | "ENOTDIR";

/** An error shaped like node's system errors, for the simulated disk and fault injection. */
export class DiskError extends Error {
  override readonly name = "DiskError";
  constructor(
    readonly code: DiskErrorCode,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

export function errorCode(err: unknown): string | undefined {
  return typeof err === "object" && err !== null && "code" in err ? String((err as { code: unknown }).code) : undefined;
}

export function dirname(path: string): string {
  const i = path.lastIndexOf("/");
  return i <= 0 ? (i === 0 ? "/" : ".") : path.slice(0, i);
}

export function basename(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

export function joinPath(dir: string, name: string): string {
  return dir.endsWith("/") ? dir + name : `${dir}/${name}`;
}
