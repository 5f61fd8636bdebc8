import { describe, expect, test } from "bun:test";
import type { KeyOp } from "./history.ts";
import { splitFrames } from "./link-proxy.ts";
import { findLostWrites } from "./lost-writes.ts";

describe("lost acknowledged writes", () => {
  const w = (id: number, value: string, invokeMs: number, completeMs: number, outcome: KeyOp["outcome"] = "ok"): KeyOp => ({
    id, client: id, key: "k", kind: "write", value, outcome, invokeMs, completeMs,
  });
  test("an acknowledged write with nothing after it must be the final value", () => {
    expect(findLostWrites([w(1, "a", 0, 1)], new Map([["k", "a"]]))).toEqual([]);
    expect(findLostWrites([w(1, "a", 0, 1)], new Map([["k", null]]))[0]).toContain('"a"');
  });
  test("a later or concurrent write (even unanswered) may have replaced it", () => {
    expect(findLostWrites([w(1, "a", 0, 1), w(2, "b", 5, 6, "unknown")], new Map([["k", "c"]]))).toEqual([]);
    expect(findLostWrites([w(1, "a", 0, 10), w(2, "b", 5, 6)], new Map([["k", "b"]]))).toEqual([]);
    // b finished before a began: a was last, so a final "b" means a was lost.
    expect(findLostWrites([w(2, "b", 0, 1), w(1, "a", 5, 6)], new Map([["k", "b"]]))).toHaveLength(1);
  });
});

describe("WebSocket frame splitting in the link proxy", () => {
  const frame = (payload: number, masked: boolean) => {
    const head = payload < 126 ? [0x82, payload | (masked ? 0x80 : 0)] : [0x82, 126 | (masked ? 0x80 : 0), payload >> 8, payload & 0xff];
    return Buffer.concat([Buffer.from(head), Buffer.alloc(masked ? 4 : 0), Buffer.alloc(payload, 7)]);
  };
  test("whole frames come off the front; a partial one stays", () => {
    const a = frame(10, true);
    const b = frame(300, true);
    const both = Buffer.concat([a, b]);
    const [frames, rest] = splitFrames(both.subarray(0, both.length - 5));
    expect(frames.map((f) => f.length)).toEqual([a.length]);
    expect(rest.length).toBe(b.length - 5);
    const [all, none] = splitFrames(both);
    expect(all.map((f) => f.length)).toEqual([a.length, b.length]);
    expect(none.length).toBe(0);
  });
});
