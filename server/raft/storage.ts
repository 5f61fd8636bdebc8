// The read-only view of durable Raft state that the core consults. The member (or a test)
// writes it from each Ready; Raft only reads. Errors are the named ones from errors.ts.
import type { ConfState, Entry, HardState, Snapshot } from "./types.ts";

export interface InitialState {
  hardState: HardState;
  confState: ConfState;
}

export interface Storage {
  initialState(): InitialState;
  /**
   * Entries in [lo, hi). With `maxBytes`, stops once the payload total would exceed it, but
   * always returns at least one entry. Throws CompactedError below firstIndex, UnavailableError
   * above lastIndex.
   */
  entries(lo: number, hi: number, options?: { maxBytes?: number }): Entry[];
  /** Term of entry `index`, for index in [firstIndex - 1, lastIndex]. */
  term(index: number): number;
  /** Index of the first entry still held (one past the last snapshot). */
  firstIndex(): number;
  lastIndex(): number;
  /** The most recent snapshot; may throw SnapshotTemporarilyUnavailableError. */
  snapshot(): Snapshot;
}

export const EMPTY_HARD_STATE: HardState = Object.freeze({ term: 0, vote: "", commit: 0 }) as HardState;

export function isEmptyHardState(hs: HardState): boolean {
  return hs.term === 0 && hs.vote === "" && hs.commit === 0;
}

export function sameHardState(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit;
}

/** Bytes an entry costs against message and Ready limits: its payload plus a small header. */
export function entrySize(entry: Entry): number {
  return entry.data.byteLength + 16;
}

/** The longest prefix of `entries` within `maxBytes`, never empty when the input is not. */
export function limitSize(entries: Entry[], maxBytes: number | undefined): Entry[] {
  if (maxBytes === undefined || entries.length === 0) return entries;
  let total = entrySize(entries[0]!);
  let n = 1;
  while (n < entries.length) {
    total += entrySize(entries[n]!);
    if (total > maxBytes) break;
    n++;
  }
  return n === entries.length ? entries : entries.slice(0, n);
}
