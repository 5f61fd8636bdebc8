import { expect, test } from "bun:test";
import { crc32c } from "./crc32c.ts";

const ascii = (s: string) => new TextEncoder().encode(s);

test("matches the published CRC-32C check values", () => {
  expect(crc32c(ascii("123456789"))).toBe(0xe3069283);
  expect(crc32c(new Uint8Array(0))).toBe(0);
  // RFC 3720 (iSCSI) appendix B.4 test vectors.
  expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
  expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
  expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e);
  expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i))).toBe(0x113fdb5c);
});

test("chaining over pieces equals one pass over the whole, at every split and length", () => {
  const data = Uint8Array.from({ length: 77 }, (_, i) => (i * 131 + 7) & 0xff);
  for (let len = 0; len <= data.length; len++) {
    const whole = crc32c(data.subarray(0, len));
    for (let split = 0; split <= len; split++) {
      expect(crc32c(data.subarray(split, len), crc32c(data.subarray(0, split)))).toBe(whole);
    }
  }
});

test("agrees with a bitwise reference on random buffers", () => {
  const bitwise = (d: Uint8Array) => {
    let c = 0xffffffff;
    for (const b of d) {
      c ^= b;
      for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    }
    return ~c >>> 0;
  };
  let seed = 12345;
  for (let round = 0; round < 50; round++) {
    const d = Uint8Array.from({ length: round * 13 }, () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24);
    expect(crc32c(d)).toBe(bitwise(d));
  }
});

test("a start/end range checksums exactly the subarray it names", () => {
  const data = Uint8Array.from({ length: 77 }, (_, i) => (i * 31 + 3) & 0xff);
  for (let start = 0; start <= data.length; start += 3) {
    for (let end = start; end <= data.length; end += 5) {
      expect(crc32c(data, 0x1234, start, end)).toBe(crc32c(data.subarray(start, end), 0x1234));
    }
  }
});
