import { expect, test } from "bun:test";
import { EntryType } from "../raft/types.ts";
import { RecordType, type WalRecord } from "./codec.ts";
import { FrameWriter, readFrame } from "./frame.ts";
import { parseSegmentName, parseSnapName, segmentFileName, snapFileName } from "./names.ts";

const records: WalRecord[] = [
  { type: RecordType.Crc, crc: 0xdeadbeef },
  { type: RecordType.Metadata, metadata: { memberId: "9e737febb6b99eee", clusterId: "c8730d66636ff140" } },
  { type: RecordType.Snapshot, marker: { index: 0, term: 0 } },
  { type: RecordType.HardState, hardState: { term: 7, vote: "ffffffffffffffff", commit: 2 ** 53 - 1 } },
  { type: RecordType.HardState, hardState: { term: 0, vote: "", commit: 0 } },
  { type: RecordType.Entry, entry: { term: 3, index: 1, type: EntryType.Normal, data: new Uint8Array(0) } },
  { type: RecordType.Entry, entry: { term: 3, index: 2, type: EntryType.ConfChange, data: Uint8Array.from({ length: 1001 }, (_, i) => i & 0xff) } },
  { type: RecordType.Snapshot, marker: { index: 12345678901, term: 99 } },
];

function frameAll(list: WalRecord[], crc = 0xdeadbeef) {
  const w = new FrameWriter(crc);
  for (const r of list) w.add(r);
  return { buf: w.take(), crc: w.crc };
}

function readAll(buf: Uint8Array) {
  const out: WalRecord[] = [];
  let at = 0;
  let crc = 0;
  for (;;) {
    const f = readFrame(buf, at, crc);
    if (f.kind === "end") return { out, crc };
    if (f.kind !== "record") throw new Error(`${f.kind} at ${at}: ${f.reason}`);
    out.push(f.record);
    crc = f.crc;
    at = f.next;
  }
}

test("every record type round-trips, frames are 8-aligned, the chain CRC is carried", () => {
  const { buf, crc } = frameAll(records);
  expect(buf.length % 8).toBe(0);
  const padded = new Uint8Array(buf.length + 64);
  padded.set(buf);
  const back = readAll(padded);
  expect(back.out).toEqual(records);
  expect(back.crc).toBe(crc);
});

test("the CRC chains: the same record after different history gets a different CRC", () => {
  const rec = records[5]!;
  const a = frameAll([{ type: RecordType.Crc, crc: 1 }, rec]);
  const b = frameAll([{ type: RecordType.Crc, crc: 2 }, rec]);
  expect(a.crc).not.toBe(b.crc);
  // A record read with the wrong running CRC fails (and, with no zero sector in it, is corruption).
  const only = frameAll([records[1]!], 5).buf;
  expect(readFrame(only, 0, 6).kind).toBe("corrupt");
  expect(readFrame(only, 0, 5).kind).toBe("record");
});

test("every single bit flip in a framed record is detected", () => {
  const { buf } = frameAll([records[6]!], 77);
  for (let byte = 0; byte < 12 + 17 + 1001; byte++) {
    for (let bit = 0; bit < 8; bit++) {
      const bad = buf.slice();
      bad[byte]! ^= 1 << bit;
      const f = readFrame(bad, 0, 77);
      expect(f.kind === "record").toBe(false);
    }
  }
});

test("a frame cut short or with a zeroed sector reads as torn, not corrupt", () => {
  const big = frameAll([{ type: RecordType.Entry, entry: { term: 1, index: 1, type: EntryType.Normal, data: new Uint8Array(2000).fill(7) } }], 0).buf;
  expect(readFrame(big.subarray(0, 700), 0, 0).kind).toBe("torn");
  const zeroed = big.slice();
  zeroed.fill(0, 1024, 1536);
  expect(readFrame(zeroed, 0, 0).kind).toBe("torn");
  expect(readFrame(new Uint8Array([0, 0, 0]), 0, 0).kind).toBe("end");
  expect(readFrame(new Uint8Array([1, 0, 0]), 0, 0).kind).toBe("torn");
});

test("file names round-trip and sort in creation order", () => {
  expect(segmentFileName(0, 0)).toBe("0000000000000000-0000000000000000.wal");
  expect(snapFileName(2, 51)).toBe("0000000000000002-0000000000000033.snap");
  expect(parseSegmentName(segmentFileName(17, 2 ** 40))).toEqual({ seq: 17, firstIndex: 2 ** 40 });
  expect(parseSnapName("0000000000000002-0000000000000033.snap")).toEqual({ term: 2, index: 51 });
  expect(parseSegmentName("0000000000000002-0000000000000033.wal.tmp")).toBeNull();
  expect(parseSnapName("0000000000000002-0000000000000033.snap.broken")).toBeNull();
  const names = [segmentFileName(10, 5), segmentFileName(9, 100), segmentFileName(2, 1)];
  expect([...names].sort()).toEqual([segmentFileName(2, 1), segmentFileName(9, 100), segmentFileName(10, 5)]);
});

test("zero scans agree with a byte loop at every alignment", async () => {
  const { isZero, endOfNonZero } = await import("./zeros.ts");
  const base = new Uint8Array(300);
  for (const mark of [-1, 0, 1, 3, 4, 150, 298, 299]) {
    const buf = base.slice();
    if (mark >= 0) buf[mark] = 9;
    for (let off = 0; off < 5; off++) {
      const view = buf.subarray(off);
      for (const [from, to] of [[0, view.length], [1, 7], [2, 151], [5, view.length - 1]] as const) {
        const slow = view.subarray(from, to).every((b) => b === 0);
        expect(isZero(view, from, to)).toBe(slow);
      }
      expect(endOfNonZero(view)).toBe(mark >= off ? mark - off + 1 : 0);
    }
  }
});

test("an entry framed in place is byte for byte the entry framed from its encoded payload", () => {
  const entries = records.filter((r) => r.type === RecordType.Entry);
  const inPlace = new FrameWriter(0xdeadbeef);
  for (const r of records) {
    if (r.type === RecordType.Entry) inPlace.addEntry(r.entry);
    else inPlace.add(r);
  }
  expect(entries.length).toBeGreaterThan(0);
  const framed = frameAll(records);
  expect(inPlace.crc).toBe(framed.crc);
  expect(inPlace.take()).toEqual(framed.buf);
});
