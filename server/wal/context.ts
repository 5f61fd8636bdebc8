// Options shared by createWal/openWal and the pieces they build, resolved once.
import { joinPath, type Disk } from "./disk.ts";
import { RealDisk } from "./realDisk.ts";

export interface WalOptions {
  disk?: Disk;
  /** Segments go here instead of `<data-dir>/member/wal` (etcd's --wal-dir). */
  walDir?: string;
  /** Segments are preallocated to this size and cut when they reach it. Default 64 MB as etcd. */
  segmentSizeBytes?: number;
  /** Segment files kept once released by a snapshot; 0 keeps all. Default 5. */
  maxWals?: number;
  /** Snapshot files kept; 0 keeps all. Default 5. */
  maxSnapshots?: number;
  /** One line per notable event (repairs, purges, failures). Default console.error. */
  log?: (line: string) => void;
}

export interface WalContext {
  disk: Disk;
  walDir: string;
  snapDir: string;
  segmentSizeBytes: number;
  maxWals: number;
  maxSnapshots: number;
  log: (line: string) => void;
}

export const DEFAULT_SEGMENT_SIZE_BYTES = 64 * 1000 * 1000;

export function walContext(dataDir: string, options: WalOptions = {}): WalContext {
  const member = joinPath(dataDir, "member");
  return {
    disk: options.disk ?? new RealDisk(),
    walDir: options.walDir ?? joinPath(member, "wal"),
    snapDir: joinPath(member, "snap"),
    segmentSizeBytes: options.segmentSizeBytes ?? DEFAULT_SEGMENT_SIZE_BYTES,
    maxWals: options.maxWals ?? 5,
    maxSnapshots: options.maxSnapshots ?? 5,
    log: options.log ?? ((line) => console.error(line)),
  };
}
