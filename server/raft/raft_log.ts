// The log as Raft sees it: durable entries in Storage followed by unstable ones, plus the
// commit and applied cursors. Indexes satisfy applied <= committed <= lastIndex.
import { CompactedError, UnavailableError, invariant } from "./errors.ts";
import { type Storage, limitSize } from "./storage.ts";
import { Unstable } from "./unstable.ts";
import type { Entry, Snapshot } from "./types.ts";

export class RaftLog {
  readonly unstable: Unstable;
  committed: number;
  applied: number;

  constructor(
    readonly storage: Storage,
    private readonly maxCommittedBytesPerReady: number,
  ) {
    const first = storage.firstIndex();
    this.unstable = new Unstable(storage.lastIndex() + 1);
    this.committed = first - 1;
    this.applied = first - 1;
  }

  firstIndex(): number {
    return this.unstable.maybeFirstIndex() ?? this.storage.firstIndex();
  }

  lastIndex(): number {
    return this.unstable.maybeLastIndex() ?? this.storage.lastIndex();
  }

  lastTerm(): number {
    return this.term(this.lastIndex());
  }

  /** Term at `index`; throws CompactedError / UnavailableError outside [firstIndex - 1, lastIndex]. */
  term(index: number): number {
    const t = this.knownTerm(index);
    if (t !== undefined) return t;
    if (index < this.firstIndex() - 1) throw new CompactedError();
    if (index > this.lastIndex()) throw new UnavailableError();
    return this.storage.term(index); // inside the bounds yet refused: the storage says why
  }

  /**
   * Term at `index`, or undefined when it is compacted or not yet known. Does not throw: a
   * follower asks this of every entry it is sent, and most of them are new to it (building an
   * Error per entry, with its stack, was a visible share of a follower's CPU).
   */
  knownTerm(index: number): number | undefined {
    const u = this.unstable.maybeTerm(index);
    if (u !== undefined) return u;
    if (index < this.firstIndex() - 1 || index > this.lastIndex()) return undefined;
    try {
      return this.storage.term(index);
    } catch (e) {
      if (e instanceof CompactedError || e instanceof UnavailableError) return undefined;
      throw e;
    }
  }

  /** Term at `index`, or 0 when it is compacted or not yet known. */
  termOrZero(index: number): number {
    return this.knownTerm(index) ?? 0;
  }

  matchTerm(index: number, term: number): boolean {
    return this.knownTerm(index) === term;
  }

  /** Raft §5.4.1: is a log ending at (lastIndex, lastTerm) at least as up to date as ours? */
  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    const ourTerm = this.lastTerm();
    return lastTerm > ourTerm || (lastTerm === ourTerm && lastIndex >= this.lastIndex());
  }

  /**
   * Follower side of AppendEntries: if our entry at `index` has `logTerm`, take `ents` after it
   * and advance commit. Returns the last index now known to match the leader, or undefined.
   */
  maybeAppend(index: number, logTerm: number, committed: number, ents: Entry[]): number | undefined {
    if (!this.matchTerm(index, logTerm)) return undefined;
    const lastNew = index + ents.length;
    const conflict = this.findConflict(ents);
    if (conflict !== 0) {
      if (!(conflict > this.committed)) invariant(false, () => `entry ${conflict} conflicts with committed entry [committed(${this.committed})]`);
      this.append(ents.slice(conflict - (index + 1)));
    }
    this.commitTo(Math.min(committed, lastNew));
    return lastNew;
  }

  append(ents: Entry[]): number {
    if (ents.length === 0) return this.lastIndex();
    const after = ents[0]!.index - 1;
    if (!(after >= this.committed)) invariant(false, () => `after(${after}) is out of range [committed(${this.committed})]`);
    this.unstable.truncateAndAppend(ents);
    return this.lastIndex();
  }

  /** First index in `ents` whose term differs from ours (or that we lack); 0 if all match. */
  findConflict(ents: Entry[]): number {
    for (const e of ents) {
      if (!this.matchTerm(e.index, e.term)) return e.index;
    }
    return 0;
  }

  /**
   * The conflict hint: the largest index <= `index` whose term is <= `term`, with its term.
   * Lets leader and follower skip a whole run of mismatching terms per round trip.
   */
  findConflictByTerm(index: number, term: number): { index: number; term: number } {
    for (; index > 0; index--) {
      const ours = this.knownTerm(index);
      if (ours === undefined) return { index, term: 0 };
      if (ours <= term) return { index, term: ours };
    }
    return { index: 0, term: 0 };
  }

  unstableEntries(): Entry[] {
    return this.unstable.entries.length === 0 ? [] : this.unstable.entries.slice();
  }

  /** Committed entries not yet handed out, unless a snapshot must be applied first. */
  nextCommittedEntries(): Entry[] {
    if (this.unstable.snapshot) return [];
    const lo = Math.max(this.applied + 1, this.firstIndex());
    if (this.committed + 1 <= lo) return [];
    return this.slice(lo, this.committed + 1, this.maxCommittedBytesPerReady);
  }

  hasNextCommittedEntries(): boolean {
    if (this.unstable.snapshot) return false;
    return this.committed + 1 > Math.max(this.applied + 1, this.firstIndex());
  }

  snapshot(): Snapshot {
    return this.unstable.snapshot ?? this.storage.snapshot();
  }

  commitTo(index: number): void {
    if (this.committed >= index) return; // commit never decreases
    if (!(this.lastIndex() >= index)) invariant(false, () => `tocommit(${index}) is out of range [lastIndex(${this.lastIndex()})]`);
    this.committed = index;
  }

  appliedTo(index: number): void {
    if (index === 0) return;
    invariant(
      this.committed >= index && index >= this.applied,
      () => `applied(${index}) is out of range [prevApplied(${this.applied}), committed(${this.committed})]`,
    );
    this.applied = index;
  }

  stableTo(index: number, term: number): void {
    this.unstable.stableTo(index, term);
  }

  stableSnapTo(index: number): void {
    this.unstable.stableSnapTo(index);
  }

  /** Leader rule (§5.4.2): advance commit to `maxIndex` only if that entry is of our term. */
  maybeCommit(maxIndex: number, term: number): boolean {
    if (maxIndex > this.committed && this.termOrZero(maxIndex) === term) {
      this.commitTo(maxIndex);
      return true;
    }
    return false;
  }

  restore(snap: Snapshot): void {
    this.committed = snap.metadata.index;
    this.unstable.restore(snap);
  }

  /** Entries from `lo` up to the end, bounded by `maxBytes`. */
  entries(lo: number, maxBytes: number): Entry[] {
    if (lo > this.lastIndex()) return [];
    return this.slice(lo, this.lastIndex() + 1, maxBytes);
  }

  /** Entries in [lo, hi), drawn from storage then unstable; throws CompactedError below firstIndex. */
  slice(lo: number, hi: number, maxBytes?: number): Entry[] {
    if (lo === hi) return [];
    if (lo < this.firstIndex()) throw new CompactedError();
    if (!(hi <= this.lastIndex() + 1)) invariant(false, () => `slice[${lo},${hi}) out of bound [${this.firstIndex()},${this.lastIndex()}]`);
    let out: Entry[] = [];
    const uOffset = this.unstable.offset;
    if (lo < uOffset) {
      out = this.storage.entries(lo, Math.min(hi, uOffset), { maxBytes });
      // Storage stopped early (size limit): don't glue unstable entries after a gap.
      if (out.length < Math.min(hi, uOffset) - lo) return out;
    }
    if (hi > uOffset) {
      const u = this.unstable.slice(Math.max(lo, uOffset), hi, maxBytes);
      out = out.length === 0 ? u : out.concat(u);
    }
    return limitSize(out, maxBytes);
  }
}
