// The simulated disk seen by one simulated node. This is the seam where the WAL engineer can
// slot the real WAL over a simulated disk: implement SimPersistence and pass a factory to the
// simulation. Contract: `storage` is what Raft reads after a (re)start; `save` writes one Ready's
// durable part; anything written without `sync` may be lost by `crash()`.
import { MemoryStorage } from "../../server/raft/memory_storage.ts";
import type { Storage } from "../../server/raft/storage.ts";
import type { ConfState, Entry, HardState, Snapshot } from "../../server/raft/types.ts";

export interface SimPersistence {
  readonly storage: Storage;
  save(part: { hardState?: HardState; entries: Entry[]; snapshot?: Snapshot }, options: { sync: boolean }): void;
  /** Records the application's snapshot at `index` and drops log entries before `compactTo`. */
  snapshotAndCompact(index: number, options: { confState: ConfState; data: Uint8Array; compactTo: number }): void;
  /** Power loss: unsynced writes vanish. The same object then serves the restarted node. */
  crash(): void;
}

/** A fresh, empty disk for node `id`. */
export type PersistenceFactory = (options: { id: string }) => SimPersistence;

/** MemoryStorage as the disk: entries and snapshots are written synced; a commit-only hard state is not. */
export class MemoryPersistence implements SimPersistence {
  readonly storage: MemoryStorage;
  private syncedHardState: HardState;

  constructor() {
    this.storage = new MemoryStorage();
    this.syncedHardState = this.storage.initialState().hardState;
  }

  save(part: { hardState?: HardState; entries: Entry[]; snapshot?: Snapshot }, options: { sync: boolean }): void {
    if (part.snapshot) this.storage.applySnapshot(part.snapshot);
    this.storage.append(part.entries);
    if (part.hardState) this.storage.setHardState(part.hardState);
    if (options.sync) this.syncedHardState = this.storage.initialState().hardState;
  }

  snapshotAndCompact(index: number, options: { confState: ConfState; data: Uint8Array; compactTo: number }): void {
    if (index <= this.storage.snapshot().metadata.index) return;
    this.storage.createSnapshot(index, { confState: options.confState, data: options.data });
    if (options.compactTo > this.storage.firstIndex() - 1) this.storage.compact(options.compactTo);
  }

  crash(): void {
    // Snapshot and compaction state is durable in this model; the hard state rolls back to the
    // last synced one (only its commit can differ, which Raft tolerates).
    const hs = this.syncedHardState;
    const snapIndex = this.storage.snapshot().metadata.index;
    this.storage.setHardState({ ...hs, commit: Math.max(hs.commit, snapIndex) });
  }
}

export const memoryPersistence: PersistenceFactory = () => new MemoryPersistence();
