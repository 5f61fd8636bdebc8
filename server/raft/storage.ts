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

/** What an entry costs against message and Ready limits beyond its payload. */
export const ENTRY_OVERHEAD_BYTES = 16;

/** Bytes an entry costs against message and Ready limits: its payload plus a small header. */
export function entrySize(entry: Entry): number {
  return entry.data.byteLength + ENTRY_OVERHEAD_BYTES;
}

/**
 * How many of `count` consecutive entries fit in `maxBytes` by entrySize (at least one when
 * count > 0); `payloadBytes(k)` is the k-th one's payload size. Counting before copying keeps a
 * far-behind follower from costing a copy of the whole log.
 */
export function countWithin(count: number, payloadBytes: (k: number) => number, maxBytes: number | undefined): number {
  if (maxBytes === undefined || count <= 1) return Math.max(0, count);
  let total = payloadBytes(0) + ENTRY_OVERHEAD_BYTES;
  let k = 1;
  while (k < count) {
    total += payloadBytes(k) + ENTRY_OVERHEAD_BYTES;
    if (total > maxBytes) break;
    k++;
  }
  return k;
}

/** The longest prefix of `entries` within `maxBytes`, never empty when the input is not. */
export function limitSize(entries: Entry[], maxBytes: number | undefined): Entry[] {
  const n = countWithin(entries.length, (k) => entries[k]!.data.byteLength, maxBytes);
  return n === entries.length ? entries : entries.slice(0, n);
}
