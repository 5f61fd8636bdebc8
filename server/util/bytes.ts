// Byte buffers shared by the WAL and the peer codec.

/**
 * Zeroed bytes and a view of them. ArrayBuffer first: reading `.buffer` of a small typed array
 * makes JavaScriptCore copy its bytes out.
 */
export function bytesWithView(size: number): [Uint8Array, DataView] {
  const ab = new ArrayBuffer(size);
  return [new Uint8Array(ab), new DataView(ab)];
}

/** What a writer holds before its first write and after take(): nothing to allocate per writer. */
const [NO_BYTES, NO_VIEW] = bytesWithView(0);

/**
 * A buffer written front to back that doubles when full: the base of the WAL's frame writer and
 * the peer codec's writer. Bytes past `pos` are zero until written.
 */
export class GrowableBytes {
  protected buf = NO_BYTES;
  protected view = NO_VIEW;
  protected pos = 0;

  /** `capacity`: the bytes the caller expects to write (allocated on the first write). */
  constructor(private readonly capacity = 256) {}

  get length(): number {
    return this.pos;
  }

  /** Makes room for `n` more bytes at `pos`. */
  protected reserve(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    const [next, view] = bytesWithView(Math.max(need, this.capacity, this.buf.length * 2));
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = view;
  }

  /** Room for `n` bytes in all, allocated now (a reused writer keeps its buffer across clear()). */
  ensureCapacity(n: number): void {
    if (n > this.buf.length) this.reserve(n - this.pos);
  }

  /** Bytes allocated, written or not. */
  get allocatedBytes(): number {
    return this.buf.length;
  }

  /** What was written so far, as a view the next write or clear() changes. */
  written(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }

  /**
   * Starts over in the same buffer. Bytes past `pos` then hold old data, not zeros: only for a
   * writer whose format writes every byte it takes (the peer codec, not the WAL's padded frames).
   */
  clear(): void {
    this.pos = 0;
  }

  /** What was written, as one buffer the writer never touches again; the writer starts afresh. */
  take(): Uint8Array {
    const out = this.pos === this.buf.length ? this.buf : this.buf.subarray(0, this.pos);
    this.buf = NO_BYTES;
    this.view = NO_VIEW;
    this.pos = 0;
    return out;
  }
}
