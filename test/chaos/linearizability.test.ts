import { describe, expect, test } from "bun:test";
import type { KeyOp } from "./history.ts";
import { linearizableHistory, rng } from "./histories.ts";
import { checkHistory, checkKey } from "./linearizability.ts";
import { formatKeyFailure } from "./report.ts";

let nextId = 0;
function op(client: number, invokeMs: number, completeMs: number, rest: Partial<KeyOp> & Pick<KeyOp, "kind">): KeyOp {
  return { id: nextId++, client, key: "k", outcome: "ok", invokeMs, completeMs, ...rest };
}
const write = (c: number, a: number, b: number, value: string, outcome: KeyOp["outcome"] = "ok") => op(c, a, b, { kind: "write", value, outcome });
const read = (c: number, a: number, b: number, result: string | null) => op(c, a, b, { kind: "read", result });
const cas = (c: number, a: number, b: number, expected: string, value: string, outcome: KeyOp["outcome"] = "ok") =>
  op(c, a, b, { kind: "cas", expected, value, outcome });
const del = (c: number, a: number, b: number, outcome: KeyOp["outcome"] = "ok") => op(c, a, b, { kind: "delete", outcome });

describe("known-linearizable histories", () => {
  test("sequential writes and reads", () => {
    expect(checkKey("k", [write(0, 0, 1, "a"), read(1, 2, 3, "a"), write(0, 4, 5, "b"), read(1, 6, 7, "b")]).ok).toBe(true);
  });
  test("a read concurrent with a write may see either value", () => {
    const h = [write(0, 0, 1, "a"), write(0, 2, 10, "b"), read(1, 3, 4, "a"), read(2, 5, 6, "b"), read(1, 7, 8, "b")];
    expect(checkKey("k", h).ok).toBe(true);
  });
  test("a write whose answer was lost may show up much later, or never", () => {
    const late = [write(0, 0, 1, "a"), write(1, 2, 3, "b", "unknown"), read(2, 10, 11, "a"), read(2, 20, 21, "b")];
    expect(checkKey("k", late).ok).toBe(true);
    const never = [write(0, 0, 1, "a"), write(1, 2, 3, "b", "unknown"), read(2, 10, 11, "a"), read(2, 20, 21, "a")];
    expect(checkKey("k", never).ok).toBe(true);
  });
  test("a failed compare saw another value; a failed delete saw no key", () => {
    const h = [del(0, 0, 1, "fail"), write(0, 2, 3, "a"), cas(1, 4, 5, "x", "y", "fail"), cas(1, 6, 7, "a", "b"), del(0, 8, 9), read(1, 10, 11, null)];
    expect(checkKey("k", h).ok).toBe(true);
  });
  test("generated concurrent histories with lost answers", () => {
    for (let seed = 1; seed <= 30; seed++) {
      const h = linearizableHistory({ seed, ops: 300, keys: 3, clients: 6, unknownRate: 0.05 });
      const v = checkHistory(h);
      if (!v.ok) throw new Error(`seed ${seed}\n${formatKeyFailure(v.failing[0]!, h)}`);
    }
  });
});

describe("known-non-linearizable histories", () => {
  test("stale read: a read that starts after a write completed sees the old value", () => {
    const h = [write(0, 0, 1, "a"), write(0, 2, 3, "b"), read(1, 4, 5, "a")];
    const v = checkKey("k", h);
    expect(v.ok).toBe(false);
    expect(formatKeyFailure(v, h)).toContain("NOT linearizable");
  });
  test("lost write: an acknowledged write disappears", () => {
    const h = [write(0, 0, 1, "a"), read(1, 2, 3, "a"), write(0, 4, 5, "b"), read(1, 6, 7, "a")];
    expect(checkKey("k", h).ok).toBe(false);
    const vanished = [write(0, 0, 1, "a"), read(1, 2, 3, null)];
    expect(checkKey("k", vanished).ok).toBe(false);
  });
  test("a compare-and-swap that succeeds twice", () => {
    const h = [write(0, 0, 1, "a"), cas(1, 2, 6, "a", "b"), cas(2, 2, 6, "a", "c")];
    expect(checkKey("k", h).ok).toBe(false);
    // Either one alone is fine.
    expect(checkKey("k", [write(0, 0, 1, "a"), cas(1, 2, 6, "a", "b"), cas(2, 2, 6, "a", "c", "fail")]).ok).toBe(true);
  });
  test("a read of a value never written", () => {
    expect(checkKey("k", [write(0, 0, 1, "a"), read(1, 2, 3, "zzz")]).ok).toBe(false);
  });
  test("values flip-flop between two readers", () => {
    const h = [write(0, 0, 100, "b"), read(1, 1, 2, "b"), read(2, 3, 4, null)];
    expect(checkKey("k", h).ok).toBe(false);
  });
  test("a failed compare that must have matched", () => {
    expect(checkKey("k", [write(0, 0, 1, "a"), cas(1, 2, 3, "a", "b", "fail")]).ok).toBe(false);
  });
  test("a corrupted read planted in a long generated history is found, and reported for its key only", () => {
    const h = linearizableHistory({ seed: 7, ops: 2000, keys: 4, clients: 8, unknownRate: 0.02 });
    const reads = h.filter((o) => o.kind === "read" && o.outcome === "ok" && o.result !== null);
    const victim = reads[Math.floor(reads.length / 2)]!;
    victim.result = "never-written";
    const v = checkHistory(h);
    expect(v.ok).toBe(false);
    expect(v.failing.map((k) => k.key)).toEqual([victim.key]);
    expect(formatKeyFailure(v.failing[0]!, h)).toContain('"never-written"');
  });
});

describe("scale", () => {
  test("10,000-operation histories check in seconds", () => {
    const rand = rng(99);
    for (let i = 0; i < 3; i++) {
      const h = linearizableHistory({ seed: Math.floor(rand() * 1e9), ops: 10_000, keys: 8, clients: 16, unknownRate: 0.01 });
      expect(checkHistory(h).ok).toBe(true);
    }
  }, 30_000);
});

describe("search budget", () => {
  test("a search that runs out of states says undecided instead of running on", () => {
    const h = linearizableHistory({ seed: 5, ops: 400, keys: 1, clients: 12, unknownRate: 0.3 });
    const v = checkKey("k0", h, { statesMax: 50 });
    expect(v).toMatchObject({ ok: false, undecided: true });
  });
});

describe("unknown outcomes", () => {
  test("unanswered writes may take effect in any order after their invoke, or never", () => {
    const h: KeyOp[] = [write(0, 0, 1, "a")];
    for (let i = 0; i < 12; i++) h.push(write(1 + (i % 8), 2 + i, 3 + i, `u${i}`, "unknown"));
    h.push(read(9, 1000, 1001, "u5"), read(9, 1002, 1003, "u9"));
    expect(checkKey("k", h).ok).toBe(true);
    h.push(read(9, 1004, 1005, "u5"));
    // u5 took effect before u9, and nothing can write u5 again.
    const v = checkKey("k", h);
    expect([v.ok, v.undecided ?? false]).toEqual([false, false]);
  });
});
