// Byte buffers shared by the WAL and the peer codec.

/**
 * Zeroed bytes and a view of them. ArrayBuffer first: reading `.buffer` of a small typed array
 * makes JavaScriptCore copy its bytes out.
 */
export function bytesWithView(size: number): [Uint8Array, DataView] {
  const ab = new ArrayBuffer(size);
  return [new Uint8Array(ab), new DataView(ab)];
}

/**
 * A buffer written front to back that doubles when full: the base of the WAL's frame writer and
 * the peer codec's writer. Bytes past `pos` are zero until written.
 */
export class GrowableBytes {
  protected buf: Uint8Array;
  protected view: DataView;
  protected pos = 0;

  /** `capacity`: the bytes the caller expects to write (allocated on the first write). */
  constructor(private readonly capacity = 256) {
    [this.buf, this.view] = bytesWithView(0);
  }

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

  /** What was written, as one buffer the writer never touches again; the writer starts afresh. */
  take(): Uint8Array {
    const out = this.pos === this.buf.length ? this.buf : this.buf.subarray(0, this.pos);
    [this.buf, this.view] = bytesWithView(0);
    this.pos = 0;
    return out;
  }
}
