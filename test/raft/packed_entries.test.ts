// The packed log must behave exactly like the plain array of entries it replaces.
import { expect, test } from "bun:test";
import fc from "fast-check";
import { PackedEntries } from "../../server/raft/packed_entries.ts";
import { type Entry, EntryType } from "../../server/raft/types.ts";

function entry(index: number, term: number, bytes: number): Entry {
  const data = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) data[i] = (index * 31 + i) & 0xff;
  return { term, index, type: bytes % 3 === 0 ? EntryType.ConfChange : EntryType.Normal, data };
}

type Op = { kind: "push"; bytes: number; termStep: number } | { kind: "truncate"; back: number } | { kind: "drop"; forward: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant("push" as const), bytes: fc.oneof(fc.integer({ min: 0, max: 600 }), fc.constantFrom(0, 300_000, 1 << 20, (1 << 20) + 5)), termStep: fc.integer({ min: 0, max: 1 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("truncate" as const), back: fc.integer({ min: 0, max: 5 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("drop" as const), forward: fc.integer({ min: 0, max: 5 }) }) },
);

test("any sequence of pushes, truncations and prefix drops reads back as the plain array would", () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 1000 }), fc.array(op, { maxLength: 60 }), (start, ops) => {
      const packed = new PackedEntries(start);
      let model: Entry[] = [];
      let first = start;
      let term = 1;
      const handedOut: Entry[] = [];
      for (const o of ops) {
        if (o.kind === "push") {
          term += o.termStep;
          const e = entry(first + model.length, term, o.bytes);
          packed.push(e);
          model.push(e);
        } else if (o.kind === "truncate") {
          const keep = Math.max(0, model.length - o.back);
          packed.truncateFrom(first + keep);
          model = model.slice(0, keep);
        } else {
          const n = Math.min(o.forward, model.length);
          packed.dropBefore(first + n);
          model = model.slice(n);
          first += n;
        }
        expect(packed.firstIndex).toBe(first);
        expect(packed.endIndex).toBe(first + model.length);
        if (model.length > 0) handedOut.push(packed.entry(first + model.length - 1));
      }
      expect(packed.slice(first, first + model.length)).toEqual(model);
      for (const e of model) expect(packed.term(e.index)).toBe(e.term);
      // Entries handed out earlier keep their bytes whatever happened to the log since.
      for (const e of handedOut) expect(e.data).toEqual(entry(e.index, e.term, e.data.byteLength).data);
    }),
    { numRuns: 300 },
  );
});

test("slice stops at maxBytes but always returns one entry", () => {
  const packed = new PackedEntries(1);
  for (let i = 1; i <= 10; i++) packed.push(entry(i, 1, 100));
  expect(packed.slice(1, 11, 1).map((e) => e.index)).toEqual([1]);
  expect(packed.slice(1, 11, 3 * 116).map((e) => e.index)).toEqual([1, 2, 3]);
  expect(packed.slice(1, 11).length).toBe(10);
});

test("out-of-range reads and non-consecutive appends are refused", () => {
  const packed = new PackedEntries(5);
  packed.push(entry(5, 1, 4));
  expect(() => packed.term(4)).toThrow(/outside/);
  expect(() => packed.entry(6)).toThrow(/outside/);
  expect(() => packed.push(entry(7, 1, 4))).toThrow(/appending 7/);
});

test("a compacted prefix releases the chunks only it used", () => {
  const packed = new PackedEntries(1);
  for (let i = 1; i <= 40; i++) packed.push(entry(i, 1, 100_000)); // about 10 per 1 MiB chunk
  const chunksOf = (p: PackedEntries) => (p as unknown as { chunks: Uint8Array[] }).chunks.length;
  const before = chunksOf(packed);
  packed.dropBefore(35);
  expect(chunksOf(packed)).toBeLessThan(before);
  expect(packed.entry(35).data).toEqual(entry(35, 1, 100_000).data);
});

test("a cleared payload reads back empty and no longer holds its chunk", () => {
  const packed = new PackedEntries(1);
  const chunksOf = (p: PackedEntries) => (p as unknown as { chunks: Uint8Array[] }).chunks.length;
  packed.push(entry(1, 1, 900_000));
  packed.push(entry(2, 1, 900_000)); // each of these fills a chunk of its own
  packed.push(entry(3, 1, 900_000));
  packed.clearPayload(2);
  packed.dropBefore(2);
  expect(packed.entry(2).data.byteLength).toBe(0);
  expect(packed.entry(3).data).toEqual(entry(3, 1, 900_000).data);
  expect(chunksOf(packed)).toBe(1); // entry 2's chunk went with entry 1's
  packed.push(entry(4, 2, 10));
  expect(packed.slice(3, 5).map((e) => [e.index, e.term, e.data.byteLength])).toEqual([[3, 1, 900_000], [4, 2, 10]]);
});
