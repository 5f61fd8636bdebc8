// In-memory Storage: the test double, and the member's copy of its log (the WAL is the durable
// one). Entries are packed (packed_entries.ts); the first held entry is a dummy standing for the
// last compacted entry (the snapshot point), whose term answers term(snapshotIndex).
import { CompactedError, SnapOutOfDateError, UnavailableError, invariant } from "./errors.ts";
import { PackedEntries } from "./packed_entries.ts";
import { type InitialState, type Storage, EMPTY_HARD_STATE } from "./storage.ts";
import { type ConfState, type Entry, type HardState, type Snapshot, EntryType } from "./types.ts";

function emptySnapshot(confState: ConfState): Snapshot {
  return { metadata: { index: 0, term: 0, confState }, data: new Uint8Array(0) };
}

export class MemoryStorage implements Storage {
  private hardState: HardState = EMPTY_HARD_STATE;
  private snap: Snapshot;
  private ents: PackedEntries;

  /** `confState` bootstraps a fresh cluster's initial voters (as if in a snapshot at index 0). */
  constructor(options: { confState?: ConfState } = {}) {
    this.snap = emptySnapshot(options.confState ?? { voters: [], learners: [] });
    this.ents = startingAt(0, 0);
  }

  initialState(): InitialState {
    return { hardState: this.hardState, confState: this.snap.metadata.confState };
  }

  /** The hard state last set, without building an InitialState (the member asks on every Ready). */
  currentHardState(): HardState {
    return this.hardState;
  }

  setHardState(hs: HardState): void {
    this.hardState = { term: hs.term, vote: hs.vote, commit: hs.commit };
  }

  entries(lo: number, hi: number, options: { maxBytes?: number } = {}): Entry[] {
    if (lo <= this.ents.firstIndex) throw new CompactedError();
    if (hi > this.lastIndex() + 1) throw new UnavailableError();
    if (this.ents.length === 1) throw new UnavailableError();
    return this.ents.slice(lo, hi, options.maxBytes);
  }

  term(index: number): number {
    if (index < this.ents.firstIndex) throw new CompactedError();
    if (index >= this.ents.endIndex) throw new UnavailableError();
    return this.ents.term(index);
  }

  firstIndex(): number {
    return this.ents.firstIndex + 1;
  }

  lastIndex(): number {
    return this.ents.endIndex - 1;
  }

  snapshot(): Snapshot {
    return this.snap;
  }

  /** Replaces everything with the snapshot's state (a follower catching up from the leader). */
  applySnapshot(snap: Snapshot): void {
    if (this.snap.metadata.index >= snap.metadata.index) throw new SnapOutOfDateError();
    this.snap = snap;
    this.ents = startingAt(snap.metadata.index, snap.metadata.term);
  }

  /**
   * Drops the bytes of the snapshot at `index` once they are safe on disk (the snapshot keeps its
   * metadata, with empty data). A store of 100,000 keys is tens of megabytes that would otherwise
   * stay in memory only in case a follower needs them; whoever ships it reads the file back.
   */
  releaseSnapshotData(index: number): void {
    if (this.snap.metadata.index === index && this.snap.data.length > 0) this.snap = { metadata: this.snap.metadata, data: new Uint8Array(0) };
  }

  /** Records a snapshot of the applied state at `index` (which must still be in the log). */
  createSnapshot(index: number, options: { confState?: ConfState; data: Uint8Array }): Snapshot {
    if (index <= this.snap.metadata.index) throw new SnapOutOfDateError();
    if (!(index <= this.lastIndex())) invariant(false, () => `snapshot ${index} is beyond last index ${this.lastIndex()}`);
    this.snap = {
      metadata: {
        index,
        term: this.ents.term(index),
        confState: options.confState ?? this.snap.metadata.confState,
      },
      data: options.data,
    };
    return this.snap;
  }

  /** Drops entries up to and including `compactIndex`; it must not pass the last index. */
  compact(compactIndex: number): void {
    if (compactIndex <= this.ents.firstIndex) throw new CompactedError();
    if (!(compactIndex <= this.lastIndex())) invariant(false, () => `compact ${compactIndex} is beyond last index ${this.lastIndex()}`);
    // The entry at compactIndex stays as the dummy: only its term is read from here on, so its
    // payload goes (and with it, possibly, the chunk it shared with the dropped entries).
    this.ents.clearPayload(compactIndex);
    this.ents.dropBefore(compactIndex);
  }

  /** Appends entries, truncating any existing suffix they conflict with. */
  append(entries: Entry[]): void {
    if (entries.length === 0) return;
    const first = this.firstIndex();
    const lastNew = entries[0]!.index + entries.length - 1;
    if (lastNew < first) return; // everything offered was already compacted
    const skip = first > entries[0]!.index ? first - entries[0]!.index : 0;
    const at = entries[skip]!.index;
    if (!(at <= this.ents.endIndex)) invariant(false, () => `missing log entry [last: ${this.lastIndex()}, append at: ${at}]`);
    if (at < this.ents.endIndex) this.ents.truncateFrom(at);
    for (let k = skip; k < entries.length; k++) this.ents.push(entries[k]!);
  }
}

/** A log holding only the dummy for the snapshot point (index, term). */
function startingAt(index: number, term: number): PackedEntries {
  const ents = new PackedEntries(index);
  ents.push({ term, index, type: EntryType.Normal, data: new Uint8Array(0) });
  return ents;
}
