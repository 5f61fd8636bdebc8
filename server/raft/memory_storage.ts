// In-memory Storage: the test double, and the member's log until the WAL lands. Entries live in
// one array whose slot 0 is a dummy standing for the last compacted entry (the snapshot point),
// so index i is at slot i - snapshotIndex.
import { CompactedError, SnapOutOfDateError, UnavailableError, invariant } from "./errors.ts";
import { type InitialState, type Storage, EMPTY_HARD_STATE, countWithin } from "./storage.ts";
import { type ConfState, type Entry, type HardState, type Snapshot, EntryType } from "./types.ts";

function emptySnapshot(confState: ConfState): Snapshot {
  return { metadata: { index: 0, term: 0, confState }, data: new Uint8Array(0) };
}

export class MemoryStorage implements Storage {
  private hardState: HardState = EMPTY_HARD_STATE;
  private snap: Snapshot;
  private ents: Entry[];

  /** `confState` bootstraps a fresh cluster's initial voters (as if in a snapshot at index 0). */
  constructor(options: { confState?: ConfState } = {}) {
    this.snap = emptySnapshot(options.confState ?? { voters: [], learners: [] });
    this.ents = [{ term: 0, index: 0, type: EntryType.Normal, data: new Uint8Array(0) }];
  }

  initialState(): InitialState {
    return { hardState: this.hardState, confState: this.snap.metadata.confState };
  }

  setHardState(hs: HardState): void {
    this.hardState = { term: hs.term, vote: hs.vote, commit: hs.commit };
  }

  entries(lo: number, hi: number, options: { maxBytes?: number } = {}): Entry[] {
    const offset = this.ents[0]!.index;
    if (lo <= offset) throw new CompactedError();
    if (hi > this.lastIndex() + 1) throw new UnavailableError();
    if (this.ents.length === 1) throw new UnavailableError();
    const from = lo - offset;
    return this.ents.slice(from, from + countWithin(this.ents, from, hi - offset, options.maxBytes));
  }

  term(index: number): number {
    const offset = this.ents[0]!.index;
    if (index < offset) throw new CompactedError();
    if (index - offset >= this.ents.length) throw new UnavailableError();
    return this.ents[index - offset]!.term;
  }

  firstIndex(): number {
    return this.ents[0]!.index + 1;
  }

  lastIndex(): number {
    return this.ents[0]!.index + this.ents.length - 1;
  }

  snapshot(): Snapshot {
    return this.snap;
  }

  /** Replaces everything with the snapshot's state (a follower catching up from the leader). */
  applySnapshot(snap: Snapshot): void {
    if (this.snap.metadata.index >= snap.metadata.index) throw new SnapOutOfDateError();
    this.snap = snap;
    this.ents = [{ term: snap.metadata.term, index: snap.metadata.index, type: EntryType.Normal, data: new Uint8Array(0) }];
  }

  /** Records a snapshot of the applied state at `index` (which must still be in the log). */
  createSnapshot(index: number, options: { confState?: ConfState; data: Uint8Array }): Snapshot {
    if (index <= this.snap.metadata.index) throw new SnapOutOfDateError();
    invariant(index <= this.lastIndex(), () => `snapshot ${index} is beyond last index ${this.lastIndex()}`);
    const offset = this.ents[0]!.index;
    this.snap = {
      metadata: {
        index,
        term: this.ents[index - offset]!.term,
        confState: options.confState ?? this.snap.metadata.confState,
      },
      data: options.data,
    };
    return this.snap;
  }

  /** Drops entries up to and including `compactIndex`; it must not pass the last index. */
  compact(compactIndex: number): void {
    const offset = this.ents[0]!.index;
    if (compactIndex <= offset) throw new CompactedError();
    invariant(compactIndex <= this.lastIndex(), () => `compact ${compactIndex} is beyond last index ${this.lastIndex()}`);
    const i = compactIndex - offset;
    const head = this.ents[i]!;
    const rest = this.ents.slice(i + 1);
    rest.unshift({ term: head.term, index: head.index, type: EntryType.Normal, data: new Uint8Array(0) });
    this.ents = rest;
  }

  /** Appends entries, truncating any existing suffix they conflict with. */
  append(entries: Entry[]): void {
    if (entries.length === 0) return;
    const first = this.firstIndex();
    const lastNew = entries[0]!.index + entries.length - 1;
    if (lastNew < first) return; // everything offered was already compacted
    const skip = first > entries[0]!.index ? first - entries[0]!.index : 0;
    const offset = entries[skip]!.index - this.ents[0]!.index;
    invariant(offset <= this.ents.length, () => `missing log entry [last: ${this.lastIndex()}, append at: ${entries[skip]!.index}]`);
    if (offset < this.ents.length) this.ents.length = offset;
    for (let k = skip; k < entries.length; k++) this.ents.push(entries[k]!);
  }
}
