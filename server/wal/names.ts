// File names as etcd spells them: segments `%016x-%016x.wal` (sequence, first raft index) and
// snapshots `%016x-%016x.snap` (term, index), so they sort by name in the order they were made.

const hex16 = (n: number) => n.toString(16).padStart(16, "0");

export interface SegmentName {
  seq: number;
  firstIndex: number;
}

export interface SnapName {
  term: number;
  index: number;
}

export function segmentFileName(seq: number, firstIndex: number): string {
  return `${hex16(seq)}-${hex16(firstIndex)}.wal`;
}

export function snapFileName(term: number, index: number): string {
  return `${hex16(term)}-${hex16(index)}.snap`;
}

function parsePair(name: string, suffix: string): [number, number] | null {
  const m = new RegExp(`^([0-9a-f]{16})-([0-9a-f]{16})\\${suffix}$`).exec(name);
  if (!m) return null;
  const a = Number.parseInt(m[1]!, 16);
  const b = Number.parseInt(m[2]!, 16);
  return Number.isSafeInteger(a) && Number.isSafeInteger(b) ? [a, b] : null;
}

export function parseSegmentName(name: string): SegmentName | null {
  const p = parsePair(name, ".wal");
  return p && { seq: p[0], firstIndex: p[1] };
}

export function parseSnapName(name: string): SnapName | null {
  const p = parsePair(name, ".snap");
  return p && { term: p[0], index: p[1] };
}
