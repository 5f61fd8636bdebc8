// Byte writer and bounds-checked reader for the peer wire format. Integers are
// unsigned LEB128 varints up to 2^53 (JS safe integers), so a heartbeat costs a few bytes.
import { GrowableBytes } from "../util/bytes.ts";

/** Thrown for any malformed, truncated or oversized input; the caller drops the frame or peer. */
export class CodecError extends Error {
  override readonly name = "CodecError";
}

export class ByteWriter extends GrowableBytes {
  u8(v: number): void {
    this.reserve(1);
    this.buf[this.pos++] = v;
  }

  uvarint(v: number): void {
    if (!Number.isSafeInteger(v) || v < 0) throw new CodecError(`cannot encode ${v} as an unsigned varint`);
    this.reserve(8);
    // Division instead of >>> because values may exceed 32 bits.
    while (v >= 0x80) {
      this.buf[this.pos++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.pos++] = v;
  }

  u32(v: number): void {
    this.reserve(4);
    this.view.setUint32(this.pos, v);
    this.pos += 4;
  }

  bytes(b: Uint8Array): void {
    this.uvarint(b.length);
    this.raw(b);
  }

  raw(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** Writes a u32 at an earlier offset (frame length prefixes written after the body). */
  patchU32(offset: number, v: number): void {
    this.view.setUint32(offset, v);
  }
}

export class ByteReader {
  private pos = 0;

  // No DataView: reading `.buffer` of a frame the socket handed over makes the engine allocate
  // an ArrayBuffer object for it, once per received frame.
  constructor(private readonly buf: Uint8Array) {}

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  get offset(): number {
    return this.pos;
  }

  private need(n: number): void {
    if (this.pos + n > this.buf.length) throw new CodecError(`truncated input: need ${n} bytes at offset ${this.pos}`);
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }

  uvarint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      const b = this.u8();
      result += (b & 0x7f) * scale;
      if (b < 0x80) {
        if (!Number.isSafeInteger(result)) throw new CodecError("varint exceeds 2^53");
        return result;
      }
      scale *= 0x80;
    }
    throw new CodecError("varint too long");
  }

  u32(): number {
    this.need(4);
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 4;
    return ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
  }

  /** A count of items that each take at least `minItemBytes`; rejects counts the input cannot hold. */
  count(minItemBytes: number): number {
    const n = this.uvarint();
    if (n * minItemBytes > this.remaining) throw new CodecError(`count ${n} exceeds remaining input`);
    return n;
  }

  /** A length-prefixed byte string, copied so it does not pin the whole frame in memory. */
  bytes(): Uint8Array {
    return this.bytesView().slice();
  }

  /**
   * A length-prefixed byte string as a view into the input: for data that is copied on soon
   * anyway (entries go into the log's chunks and the WAL's frame), so the frame is not pinned long.
   */
  bytesView(): Uint8Array {
    const n = this.uvarint();
    this.need(n);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
}
