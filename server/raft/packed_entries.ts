// A run of consecutive log entries held column by column: terms and types in typed arrays,
// payloads copied into shared byte chunks. A member keeps up to --snapshot-count entries (100,000
// by default) between snapshots; as objects that is three garbage-collected cells per entry, all
// of them new when a young collection runs and so marked by it, which measured as about half of
// every young-collection pause under write load. Packed, the whole log is a few dozen cells.
// Entries handed out are rebuilt on demand; their payloads are views into chunks that are
// never written again once filled, so a caller may keep them.
import { invariant } from "./errors.ts";
import { countWithin } from "./storage.ts";
import { type Entry, EntryType } from "./types.ts";

/** Payloads of up to this many bytes share chunks; a larger one gets a chunk of its own. */
const CHUNK_BYTES = 1 << 20;
const INITIAL_SLOTS = 1024;

export class PackedEntries {
  /** Log index of slot 0. */
  private first: number;
  private count = 0;
  private terms = new Float64Array(INITIAL_SLOTS);
  private types = new Uint8Array(INITIAL_SLOTS);
  /** Absolute chunk number (chunks[chunkNo - droppedChunks]) and offset of each payload. */
  private chunkNos = new Float64Array(INITIAL_SLOTS);
  private offsets = new Uint32Array(INITIAL_SLOTS);
  private lengths = new Uint32Array(INITIAL_SLOTS);
  private chunks: Uint8Array[] = [];
  private droppedChunks = 0;
  /** Bytes used in the last chunk; bytes below it are never written again. */
  private fill = 0;

  constructor(firstIndex: number) {
    this.first = firstIndex;
  }

  get length(): number {
    return this.count;
  }

  get firstIndex(): number {
    return this.first;
  }

  /** Log index one past the last entry. */
  get endIndex(): number {
    return this.first + this.count;
  }

  term(index: number): number {
    return this.terms[this.slot(index)]!;
  }

  entry(index: number): Entry {
    return this.entryAt(this.slot(index));
  }

  /** Entries in [lo, hi); with `maxBytes`, as many as fit (storage.ts's countWithin), but at least one. */
  slice(lo: number, hi: number, maxBytes?: number): Entry[] {
    const n = countWithin(hi - lo, (k) => this.lengths[this.slot(lo + k)]!, maxBytes);
    const out: Entry[] = [];
    for (let k = 0; k < n; k++) out.push(this.entryAt(this.slot(lo + k)));
    return out;
  }

  private entryAt(i: number): Entry {
    const length = this.lengths[i]!;
    const at = this.offsets[i]!;
    const data = length === 0 ? new Uint8Array(0) : this.chunks[this.chunkNos[i]! - this.droppedChunks]!.subarray(at, at + length);
    return { term: this.terms[i]!, index: this.first + i, type: this.types[i]! as EntryType, data };
  }

  /** Appends the entry that must come next (its index is endIndex); the payload is copied. */
  push(e: Entry): void {
    if (e.index !== this.endIndex) invariant(false, () => `packed log: appending ${e.index} after ${this.endIndex - 1}`);
    if (this.count === this.terms.length) this.grow();
    const i = this.count++;
    this.terms[i] = e.term;
    this.types[i] = e.type;
    const length = e.data.byteLength;
    this.lengths[i] = length;
    if (length === 0) {
      this.chunkNos[i] = this.droppedChunks;
      this.offsets[i] = 0;
      return;
    }
    const last = this.chunks.length - 1;
    if (last < 0 || this.fill + length > this.chunks[last]!.byteLength) {
      this.chunks.push(new Uint8Array(Math.max(CHUNK_BYTES, length)));
      this.fill = 0;
    }
    const chunkAt = this.chunks.length - 1;
    this.chunks[chunkAt]!.set(e.data, this.fill);
    this.chunkNos[i] = chunkAt + this.droppedChunks;
    this.offsets[i] = this.fill;
    this.fill += length;
  }

  /** Drops every entry from `index` on (their chunk space is not reused: views stay valid). */
  truncateFrom(index: number): void {
    if (!(index >= this.first && index <= this.endIndex)) invariant(false, () => `packed log: truncate at ${index} outside [${this.first}, ${this.endIndex}]`);
    this.count = index - this.first;
  }

  /** Forgets the payload of entry `index` (it reads back empty) so its chunk can be released. */
  clearPayload(index: number): void {
    this.lengths[this.slot(index)] = 0;
  }

  /** Drops every entry before `index`, and the chunks only they used. */
  dropBefore(index: number): void {
    if (!(index >= this.first && index <= this.endIndex)) invariant(false, () => `packed log: drop before ${index} outside [${this.first}, ${this.endIndex}]`);
    const n = index - this.first;
    if (n === 0) return;
    const keep = this.count - n;
    for (const column of [this.terms, this.types, this.chunkNos, this.offsets, this.lengths]) column.copyWithin(0, n, this.count);
    this.count = keep;
    this.first = index;
    // Chunks before the first kept payload's are no longer referenced by any slot.
    let firstChunk = this.droppedChunks + this.chunks.length - 1;
    for (let i = 0; i < keep; i++) {
      if (this.lengths[i]! > 0) {
        firstChunk = this.chunkNos[i]!;
        break;
      }
    }
    const drop = Math.max(0, firstChunk - this.droppedChunks);
    if (drop > 0) {
      this.chunks.splice(0, drop);
      this.droppedChunks += drop;
    }
  }

  private slot(index: number): number {
    const i = index - this.first;
    // Hot (every term lookup): no message closure unless it fails.
    if (i < 0 || i >= this.count) invariant(false, () => `packed log: index ${index} outside [${this.first}, ${this.endIndex})`);
    return i;
  }

  private grow(): void {
    const size = this.terms.length * 2;
    const widen = <T extends Float64Array | Uint8Array | Uint32Array>(a: T, make: (n: number) => T): T => {
      const b = make(size);
      b.set(a);
      return b;
    };
    this.terms = widen(this.terms, (n) => new Float64Array(n));
    this.types = widen(this.types, (n) => new Uint8Array(n));
    this.chunkNos = widen(this.chunkNos, (n) => new Float64Array(n));
    this.offsets = widen(this.offsets, (n) => new Uint32Array(n));
    this.lengths = widen(this.lengths, (n) => new Uint32Array(n));
  }
}
