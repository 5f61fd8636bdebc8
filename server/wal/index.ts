// The WAL's public face for the member: createWal / openWal / walExists, the Wal it returns,
// the Disk seam with its real and simulated implementations, and the typed errors.
//
//   new member (walExists(dir) false): const wal = await createWal(dir, { memberId, clusterId });
//   restart: const { wal, hardState, snapshot, entries } = await openWal(dir, { metadata });
//   // rebuild raft's Storage: applySnapshot(snapshot) if any, setHardState, append(entries)
//   // per Ready: await wal.saveSnapshot(rd.snapshot) if any; await wal.save(rd.hardState, rd.entries)
//   // after a local snapshot: await wal.saveSnapshot(snap) (marker, release, purge included)
//   // /health: wal.failure (null while healthy); on WalCorruptError at start: log message, exit 1
export { createWal, openWal, walExists, type OpenedWal, type OpenWalOptions } from "./open.ts";
export { Wal } from "./wal.ts";
export type { WalMetadata, SnapshotMarker } from "./codec.ts";
export type { WalOptions } from "./context.ts";
export { WalCorruptError, WalFailedError } from "./errors.ts";
export { DiskError, type Disk, type DiskFile } from "./disk.ts";
export { RealDisk, type RealDiskOptions } from "./realDisk.ts";
export { SimDisk, type CrashMode, type SimDiskOptions, type SimOp, type FaultInjector } from "./simDisk.ts";
