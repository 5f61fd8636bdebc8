import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import type { Message } from "../raft/types.ts";
import { ByteWriter } from "./bytes.ts";
import { CodecError, decodeBatch, decodeSnapshotHeader, encodeBatch, encodeBatchInto, encodeSnapshotHeader } from "./codec.ts";

const idArb = fc.oneof(
  fc.constant(""),
  fc.bigInt({ min: 1n, max: (1n << 64n) - 1n }).map((n) => n.toString(16)),
);
const u53 = fc.oneof(fc.nat(1000), fc.maxSafeNat());
const bytesArb = fc.uint8Array({ maxLength: 64 });
const entryArb = fc.record({ term: u53, index: u53, type: fc.constantFrom(0, 1), data: bytesArb });
const snapshotArb = fc.record({
  metadata: fc.record({
    index: u53,
    term: u53,
    confState: fc.record({ voters: fc.array(idArb, { maxLength: 5 }), learners: fc.array(idArb, { maxLength: 3 }) }),
  }),
  data: fc.uint8Array({ maxLength: 256 }),
});
const messageArb: fc.Arbitrary<Message> = fc.record(
  {
    type: fc.integer({ min: 0, max: 18 }),
    to: idArb,
    from: idArb,
    term: u53,
    logTerm: u53,
    index: u53,
    entries: fc.array(entryArb, { maxLength: 4 }),
    commit: u53,
    snapshot: snapshotArb,
    reject: fc.boolean(),
    rejectHint: u53,
    context: bytesArb,
  },
  { requiredKeys: ["type", "to", "from", "term", "logTerm", "index", "entries", "commit", "reject", "rejectHint"] },
) as fc.Arbitrary<Message>;

describe("peer codec", () => {
  test("a batch round-trips exactly", () => {
    fc.assert(
      fc.property(fc.array(messageArb, { maxLength: 8 }), (msgs) => {
        expect(decodeBatch(encodeBatch(msgs))).toEqual(msgs);
      }),
      { numRuns: 500 },
    );
  });

  test("a reused writer gives each batch the same bytes as a fresh one, larger or smaller than the last", () => {
    const w = new ByteWriter(16);
    fc.assert(
      fc.property(fc.array(messageArb, { maxLength: 8 }), (msgs) => {
        const frame = encodeBatchInto(w, msgs);
        expect(frame).toEqual(encodeBatch(msgs));
        expect(decodeBatch(frame)).toEqual(msgs);
      }),
      { numRuns: 300 },
    );
  });

  test("IDs that share a low word keep their own high words", () => {
    const hb = (to: string): Message => ({ type: 8, to, from: "1", term: 1, logTerm: 0, index: 0, entries: [], commit: 0, reject: false, rejectHint: 0 });
    const ids = ["abcdef01", "1abcdef01", "ffffffffabcdef01", "abcdef01", "1abcdef01"];
    for (const id of ids) expect(decodeBatch(encodeBatch([hb(id)]))[0]!.to).toBe(id);
  });

  test("a heartbeat costs few bytes", () => {
    const hb: Message = { type: 8, to: "e2f4d2d54735ed18", from: "2c6d6407fbb7943f", term: 5, logTerm: 0, index: 0, entries: [], commit: 42, reject: false, rejectHint: 0 };
    expect(encodeBatch([hb]).length).toBeLessThanOrEqual(30);
  });

  test("a snapshot header round-trips without its payload and reports the payload length", () => {
    fc.assert(
      fc.property(messageArb, snapshotArb, (m, snap) => {
        const withSnap = { ...m, type: 7, snapshot: snap };
        const { message, snapshotBytes } = decodeSnapshotHeader(encodeSnapshotHeader(withSnap));
        expect(snapshotBytes).toBe(snap.data.length);
        expect(message).toEqual({ ...withSnap, snapshot: { ...snap, data: new Uint8Array(0) } });
      }),
      { numRuns: 200 },
    );
  });

  test("every truncation of a valid frame throws CodecError", () => {
    fc.assert(
      fc.property(fc.array(messageArb, { minLength: 1, maxLength: 4 }), (msgs) => {
        const frame = encodeBatch(msgs);
        for (let cut = 0; cut < frame.length; cut++) {
          expect(() => decodeBatch(frame.subarray(0, cut))).toThrow(CodecError);
        }
      }),
      { numRuns: 100 },
    );
  });

  test("random and corrupted input either decodes or throws CodecError, never anything else", () => {
    const decodeOrCodecError = (b: Uint8Array) => {
      try {
        decodeBatch(b);
        decodeSnapshotHeader(b);
      } catch (e) {
        if (!(e instanceof CodecError)) throw e;
      }
    };
    fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), decodeOrCodecError), { numRuns: 2000 });
    fc.assert(
      fc.property(fc.array(messageArb, { minLength: 1, maxLength: 4 }), fc.nat(), fc.integer({ min: 1, max: 255 }), (msgs, at, xor) => {
        const frame = encodeBatch(msgs).slice();
        frame[at % frame.length]! ^= xor;
        decodeOrCodecError(frame);
      }),
      { numRuns: 2000 },
    );
  });

  test("a huge declared count is rejected before allocating", () => {
    // version 1, count = 2^50 as a varint
    const frame = new Uint8Array([1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02]);
    expect(() => decodeBatch(frame)).toThrow(CodecError);
  });

  test("unencodable messages throw CodecError", () => {
    const bad: Message = { type: 3, to: "XYZ", from: "1", term: 1, logTerm: 0, index: 0, entries: [], commit: 0, reject: false, rejectHint: 0 };
    expect(() => encodeBatch([bad])).toThrow(CodecError);
    expect(() => encodeBatch([{ ...bad, to: "2", term: -1 }])).toThrow(CodecError);
  });
});
