// Zero scans over preallocated segment tails (tens of MB), a word at a time where aligned.

/** True when buf[from, to) is all zero. */
export function isZero(buf: Uint8Array, from: number, to: number): boolean {
  let i = from;
  while (i < to && (buf.byteOffset + i) % 4 !== 0) if (buf[i++] !== 0) return false;
  const wordsEnd = i + Math.floor((to - i) / 4) * 4;
  if (wordsEnd > i) {
    const words = new Uint32Array(buf.buffer, buf.byteOffset + i, (wordsEnd - i) / 4);
    for (let w = 0; w < words.length; w++) if (words[w] !== 0) return false;
    i = wordsEnd;
  }
  while (i < to) if (buf[i++] !== 0) return false;
  return true;
}

/** One past the last non-zero byte (0 when all zero). */
export function endOfNonZero(buf: Uint8Array): number {
  let end = buf.length;
  const step = 1 << 16;
  while (end > 0) {
    const start = Math.max(0, end - step);
    if (!isZero(buf, start, end)) break;
    end = start;
  }
  while (end > 0 && buf[end - 1] === 0) end--;
  return end;
}
