import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { deleteRequest, postRequest, putRequest } from "./requests.ts";
import { LARGE_VALUE_CHARS, snapshotDocument } from "./snapshot.ts";
import { createStore } from "./store.ts";
import { EtcdError, type V2Request, type V2Store } from "./types.ts";

const NOW = 1_764_072_000_000_000;
const S = 1_000_000;
const NAMESPACES = ["/0", "/1", "/2"];

const fresh = (): V2Store => createStore({ namespaces: NAMESPACES });
const set = (s: V2Store, path: string, value: string, extra = {}) =>
  s.apply(putRequest(path, { value, nowUs: NOW, ...extra }));
const listing = (s: V2Store, path = "/", nowUs = NOW) =>
  JSON.stringify(s.get(path, { recursive: true, sorted: false, nowUs }));

function populated(): V2Store {
  const s = fresh();
  set(s, "/1/a", "1");
  set(s, "/1/dir/b", "2", { expireAtUs: NOW + 10 * S });
  set(s, "/1/dir/_hidden", "h");
  set(s, "/1/ttldir", "", { dir: true, expireAtUs: NOW + 5 * S });
  set(s, "/1/ttldir/x", "3", { expireAtUs: NOW + 20 * S });
  s.apply(postRequest("/1/queue", { value: "q", nowUs: NOW }));
  set(s, "/1/a", "", { refresh: true, expireAtUs: NOW + 7 * S });
  s.apply(deleteRequest("/1/dir/_hidden", { nowUs: NOW }));
  set(s, "/1/z", "last");
  try {
    set(s, "/1", "fail");
  } catch {}
  s.get("/1/a", { recursive: false, sorted: false, nowUs: NOW });
  return s;
}

/** save() into a fresh store's recover(), timings logged (never asserted: CI machines vary). */
function timedRoundTrip(s: V2Store, label: string): { bytes: Uint8Array; r: V2Store } {
  const t0 = performance.now();
  const bytes = s.save();
  const t1 = performance.now();
  const r = fresh();
  r.recover(bytes);
  const t2 = performance.now();
  console.log(`${label}: snapshot ${(bytes.length / 2 ** 20).toFixed(1)} MiB, save ${(t1 - t0).toFixed(0)} ms, recover ${(t2 - t1).toFixed(0)} ms`);
  return { bytes, r };
}

describe("save / recover", () => {
  test("round trip restores tree, TTLs, history, index and counters", async () => {
    const a = populated();
    const bytes = a.save();
    const b = fresh();
    b.recover(bytes);
    expect(Buffer.from(b.save()).equals(Buffer.from(bytes))).toBe(true);
    expect(b.index).toBe(a.index);
    expect(listing(b)).toBe(listing(a));
    expect(b.stats()).toEqual(a.stats());
    expect(b.nextExpiryUs()).toBe(a.nextExpiryUs());
    // The TTL heap was rebuilt: both expire the same nodes at the same indexes.
    const when = NOW + 8 * S;
    expect(b.apply({ method: "SYNC", timeUs: when })).toEqual(a.apply({ method: "SYNC", timeUs: when }));
    expect(listing(b, "/", when)).toBe(listing(a, "/", when));
    // Watches into the restored history work, including the refresh being skipped.
    const w = b.watch("/1/a", { recursive: false, stream: true, sinceIndex: 1 });
    expect((await w.next())?.node?.value).toBe("1");
    expect((await w.next())?.action).toBe("expire");
  });

  test("recover replaces everything, and a bad snapshot leaves the store as it was", () => {
    const a = populated();
    const b = fresh();
    set(b, "/1/only-in-b", "x");
    b.recover(a.save());
    expect(() => b.get("/1/only-in-b", { recursive: false, sorted: false, nowUs: NOW })).toThrow(EtcdError);
    const before = b.save();
    expect(() => b.recover(new TextEncoder().encode('{"v":99}'))).toThrow();
    expect(() => b.recover(new TextEncoder().encode("not json"))).toThrow();
    expect(b.save()).toEqual(before);
  });

  test("100k keys round-trip", () => {
    const s = fresh();
    for (let i = 0; i < 100_000; i++) {
      set(s, `/1/d${i % 100}/k${i}`, `value-${i}`, i % 10 === 0 ? { expireAtUs: NOW + (i % 977) * S } : {});
    }
    const { bytes, r } = timedRoundTrip(s, "100k keys");
    // Byte-identical before any read moves the get counters.
    expect(Buffer.from(r.save()).equals(Buffer.from(bytes))).toBe(true);
    expect(r.index).toBe(100_000);
    expect(r.nextExpiryUs()).toBe(NOW);
    expect(r.get("/1/d42/k99942", { recursive: false, sorted: false, nowUs: NOW }).event.node?.value).toBe("value-99942");
    expect(listing(r, "/1/d7")).toBe(listing(s, "/1/d7"));
    const cut = NOW + 100 * S;
    expect(r.apply({ method: "SYNC", timeUs: cut }).index).toBe(s.apply({ method: "SYNC", timeUs: cut }).index);
    // Normally about a second; the limit is for a shared, overloaded CI machine.
  }, 60_000);
});

/** The snapshot without the counters (which a failure legitimately moves). */
function stateWithoutCounters(s: V2Store): { rest: unknown; counters: number[] } {
  const doc = snapshotDocument(s.save()) as unknown as Record<string, unknown>;
  const counters = doc.counters as number[];
  delete doc.counters;
  return { rest: doc, counters };
}

// A small key space so requests often collide with what earlier ones created.
const pathArb = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom("/1/a", "/1/b", "/1/a/b", "/1/_h", "/1/_h/a", "/1/b/a/b") },
  { weight: 1, arbitrary: fc.constantFrom("/", "/0", "/1", "/2/a") },
);
const valueArb = fc.constantFrom("", "x", "y");
const indexArb = fc.option(fc.integer({ min: 0, max: 8 }), { nil: undefined });
const expireArb = fc.option(fc.integer({ min: 0, max: 20 }).map((k) => NOW + k * S), { nil: null });

const requestArb: fc.Arbitrary<V2Request> = fc.oneof(
  fc.record({
    path: pathArb,
    value: valueArb,
    dir: fc.boolean(),
    prevExist: fc.option(fc.boolean(), { nil: undefined }),
    prevValue: fc.option(valueArb, { nil: undefined }),
    prevIndex: indexArb,
    expireAtUs: expireArb,
    refresh: fc.boolean(),
  }).map((r) => putRequest(r.path, { ...r, nowUs: NOW })),
  fc.record({ path: pathArb, value: valueArb, dir: fc.boolean(), expireAtUs: expireArb }).map((r) =>
    postRequest(r.path, { ...r, nowUs: NOW }),
  ),
  fc.record({
    path: pathArb,
    dir: fc.boolean(),
    recursive: fc.boolean(),
    prevValue: fc.option(valueArb, { nil: undefined }),
    prevIndex: indexArb,
  }).map((r) => deleteRequest(r.path, { ...r, nowUs: NOW })),
  fc.integer({ min: 0, max: 20 }).map((k): V2Request => ({ method: "SYNC", timeUs: NOW + k * S })),
);

describe("properties", () => {
  test("a failing request changes nothing but its one failure counter; a success bumps the index once per event", () => {
    fc.assert(
      fc.property(fc.array(requestArb, { maxLength: 40 }), (reqs) => {
        const s = fresh();
        for (const req of reqs) {
          const before = stateWithoutCounters(s);
          const indexBefore = s.index;
          let result;
          try {
            result = s.apply(req);
          } catch (e) {
            expect(e).toBeInstanceOf(EtcdError);
            expect((e as EtcdError).index).toBe(indexBefore);
            const after = stateWithoutCounters(s);
            expect(after.rest).toEqual(before.rest);
            const moved = after.counters.map((c, i) => c - before.counters[i]!);
            expect(moved.filter((d) => d !== 0)).toEqual([1]);
            continue;
          }
          const events = req.method === "SYNC" ? result.expired!.length : 1;
          expect(result.index).toBe(indexBefore + events);
          expect(s.index).toBe(result.index);
          // Exactly one recorded event per index consumed.
          const history = (stateWithoutCounters(s).rest as { history: [number][] }).history;
          expect(history.filter(([index]) => index > indexBefore).map(([index]) => index)).toEqual(
            Array.from({ length: events }, (_, i) => indexBefore + 1 + i),
          );
        }
        // Whatever happened, a snapshot reproduces the store exactly.
        const copy = fresh();
        copy.recover(s.save());
        expect(listing(copy)).toBe(listing(s));
      }),
      { numRuns: 300 },
    );
  }, 60_000);
});

test("a path thousands of levels deep survives a round trip", () => {
  const s = fresh();
  const deep = "/1" + "/d".repeat(5_000);
  set(s, deep, "bottom");
  const r = fresh();
  r.recover(s.save());
  expect(r.get(deep, { recursive: false, sorted: false, nowUs: NOW }).event.node?.value).toBe("bottom");
  expect(() => r.recover(new TextEncoder().encode('{"v":1,"index":0,"counters":[],"tree":["",0,0,null,2,"a",1,1,null,"x"],"history":[]}'))).toThrow();
});

describe("large values", () => {
  const ascii = "a".repeat(LARGE_VALUE_CHARS);
  const multiByte = "é€😀".repeat(LARGE_VALUE_CHARS);
  const textOf = (data: Uint8Array) => Buffer.from(data).toString("latin1");
  /** A v2 snapshot assembled by hand, to feed the decoder what the encoder never writes. */
  const v2 = (doc: object, large: Uint8Array[]): Uint8Array => {
    const json = new TextEncoder().encode(JSON.stringify(doc));
    const prefix = new Uint8Array(12);
    prefix.set(new TextEncoder().encode("ETCBSTO2"));
    new DataView(prefix.buffer).setUint32(8, json.length, true);
    return new Uint8Array(Buffer.concat([prefix, json, ...large]));
  };

  function withLarge(): V2Store {
    const s = fresh();
    set(s, "/1/small", "x".repeat(LARGE_VALUE_CHARS - 1));
    set(s, "/1/ascii", ascii);
    set(s, "/1/multi", multiByte, { expireAtUs: NOW + 5 * S });
    set(s, "/1/over", "old-" + ascii);
    set(s, "/1/over", "new-" + ascii);
    return s;
  }

  test("go after the document as raw UTF-8, once each, and come back byte-identical", async () => {
    const a = withLarge();
    const bytes = a.save();
    const doc = snapshotDocument(bytes);
    // Four distinct large values: ascii, multi, old- (only in history now) and new- (tree and history share it).
    expect(doc.large).toEqual([ascii, multiByte, "new-" + ascii, "old-" + ascii].map((v) => Buffer.byteLength(v, "utf8")));
    expect(JSON.stringify(doc)).not.toContain(ascii);
    expect(JSON.stringify(doc)).toContain("x".repeat(LARGE_VALUE_CHARS - 1));
    expect(textOf(bytes).endsWith(Buffer.from(ascii + multiByte + "new-" + ascii + "old-" + ascii).toString("latin1"))).toBe(true);

    const b = fresh();
    b.recover(bytes);
    expect(Buffer.from(b.save()).equals(Buffer.from(bytes))).toBe(true);
    expect(listing(b)).toBe(listing(a));
    expect(b.nextExpiryUs()).toBe(NOW + 5 * S);
    // History events carry their large values too.
    const w = b.watch("/1/over", { recursive: false, stream: true, sinceIndex: 1 });
    const first = await w.next();
    const second = await w.next();
    expect([first?.node?.value, second?.prevNode?.value, second?.node?.value]).toEqual(["old-" + ascii, "old-" + ascii, "new-" + ascii]);
  });

  test("a value that is not well-formed UTF-16 stays in the document and survives exactly", () => {
    const s = fresh();
    const lone = "\ud800" + ascii;
    set(s, "/1/lone", lone);
    const bytes = s.save();
    expect(snapshotDocument(bytes).large).toEqual([]);
    const r = fresh();
    r.recover(bytes);
    expect(r.get("/1/lone", { recursive: false, sorted: false, nowUs: NOW }).event.node?.value).toBe(lone);
  });

  test("a v1 snapshot (all JSON) from an older data dir still loads", () => {
    const a = populated();
    set(a, "/1/big", ascii);
    const v1 = { ...snapshotDocument(a.save()), v: 1, large: undefined };
    const b = fresh();
    // The only large value is reference -1, in the tree and in its history event.
    b.recover(new TextEncoder().encode(JSON.stringify(v1, (_, x) => (x === -1 ? ascii : x))));
    expect(listing(b)).toBe(listing(a));
  });

  test("a damaged snapshot is refused and the store keeps what it had", () => {
    const a = withLarge();
    const bytes = a.save();
    const b = fresh();
    set(b, "/1/mine", "kept");
    const before = b.save();
    const doc = snapshotDocument(bytes);
    const large = (doc.large ?? []).map((n) => new Uint8Array(n).fill(0x61));
    const damaged: [string, Uint8Array][] = [
      ["truncated", bytes.subarray(0, bytes.length - 1)],
      ["trailing byte", new Uint8Array(Buffer.concat([bytes, new Uint8Array(1)]))],
      ["bad magic", new Uint8Array(Buffer.concat([new TextEncoder().encode("ETCBSTO9"), bytes.subarray(8)]))],
      ["document cut short", bytes.subarray(0, 20)],
      ["reference past the values", v2({ ...doc, tree: doc.tree.map((x) => (x === -1 ? -99 : x)) }, large)],
      ["invalid UTF-8 in a value", v2(doc, [new Uint8Array(large[0]!.length).fill(0xff), ...large.slice(1)])],
      ["unknown version", v2({ ...doc, v: 3 }, large)],
    ];
    for (const [why, data] of damaged) {
      expect(() => b.recover(data), why).toThrow();
      expect(b.save(), why).toEqual(before);
    }
  });

  test("saveInSteps: the content is fixed when it starts, each fill copies about its budget, and the bytes equal save()'s", () => {
    const s = withLarge();
    const expected = s.save();
    const encoding = s.saveInSteps();
    // Writes after the start, including to a large value, are not in this snapshot.
    set(s, "/1/ascii", "b".repeat(LARGE_VALUE_CHARS));
    s.apply(deleteRequest("/1/multi", { nowUs: NOW }));
    let calls = 0;
    while (!encoding.fill(1)) calls++;
    // One whole value a call: four large values, so the fourth call reports done.
    expect(calls).toBe(3);
    expect(Buffer.from(encoding.bytes).equals(Buffer.from(expected))).toBe(true);
    expect(encoding.fill(1)).toBe(true);
    const r = fresh();
    r.recover(encoding.bytes);
    expect(r.get("/1/ascii", { recursive: false, sorted: false, nowUs: NOW }).event.node?.value).toBe(ascii);
  });

  test("a 100 MB store: save and recover (timings logged, not asserted)", () => {
    const s = fresh();
    const values = Array.from({ length: 100 }, (_, i) => String(i % 10).repeat(1 << 20));
    values.forEach((v, i) => set(s, `/1/big/${i}`, v));
    const { bytes, r } = timedRoundTrip(s, "100 x 1 MiB");
    // Tree and history share each value: the snapshot is the values once, plus a small document.
    expect(bytes.length).toBeLessThan(101 * 2 ** 20);
    expect(r.get("/1/big/57", { recursive: false, sorted: false, nowUs: NOW }).event.node?.value).toBe(values[57]);
  }, 60_000);
});
