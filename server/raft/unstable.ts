// Entries (and at most one snapshot) that Raft holds but the caller has not yet persisted.
// `offset` is the log index of entries[0]; every index below it is in Storage.
import { invariant } from "./errors.ts";
import { countWithin } from "./storage.ts";
import type { Entry, Snapshot } from "./types.ts";

export class Unstable {
  snapshot: Snapshot | undefined;
  entries: Entry[] = [];

  constructor(public offset: number) {}

  maybeFirstIndex(): number | undefined {
    return this.snapshot ? this.snapshot.metadata.index + 1 : undefined;
  }

  maybeLastIndex(): number | undefined {
    if (this.entries.length > 0) return this.offset + this.entries.length - 1;
    return this.snapshot?.metadata.index;
  }

  maybeTerm(index: number): number | undefined {
    if (index < this.offset) {
      if (this.snapshot && this.snapshot.metadata.index === index) return this.snapshot.metadata.term;
      return undefined;
    }
    const last = this.maybeLastIndex();
    if (last === undefined || index > last) return undefined;
    return this.entries[index - this.offset]!.term;
  }

  /** The caller persisted entries through `index` (of term `term`): drop them from here. */
  stableTo(index: number, term: number): void {
    const t = this.maybeTerm(index);
    // A mismatch means the entries were replaced after the Ready was taken; keep the new ones.
    if (t !== term || index < this.offset) return;
    this.entries = this.entries.slice(index + 1 - this.offset);
    this.offset = index + 1;
  }

  stableSnapTo(index: number): void {
    if (this.snapshot && this.snapshot.metadata.index === index) this.snapshot = undefined;
  }

  restore(snap: Snapshot): void {
    this.offset = snap.metadata.index + 1;
    this.entries = [];
    this.snapshot = snap;
  }

  truncateAndAppend(ents: Entry[]): void {
    const after = ents[0]!.index;
    if (after === this.offset + this.entries.length) {
      for (const e of ents) this.entries.push(e); // the hot path: a plain append, no copy
    } else if (after <= this.offset) {
      // Replaces everything unstable; storage's conflicting suffix is truncated on persist.
      this.offset = after;
      this.entries = ents.slice();
    } else {
      this.entries = this.slice(this.offset, after);
      for (const e of ents) this.entries.push(e);
    }
  }

  /** Entries in [lo, hi), cut to `maxBytes` when given. */
  slice(lo: number, hi: number, maxBytes?: number): Entry[] {
    if (!(lo <= hi)) invariant(false, () => `invalid unstable slice ${lo} > ${hi}`);
    const upper = this.offset + this.entries.length;
    if (!(lo >= this.offset && hi <= upper)) invariant(false, () => `unstable slice [${lo},${hi}) out of bound [${this.offset},${upper}]`);
    const from = lo - this.offset;
    return this.entries.slice(from, from + countWithin(hi - lo, (k) => this.entries[from + k]!.data.byteLength, maxBytes));
  }
}
