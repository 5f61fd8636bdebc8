import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import type { V2Request } from "../store/types.ts";
import { decodeRequestEntry, encodeRequestEntry } from "./entry.ts";

const utf8 = new TextEncoder();
// Any string a request can carry, empty and non-ASCII (astral characters are two code units) included.
const text = fc.string({ unit: "binary", maxLength: 40 });
const num = fc.oneof(fc.integer({ min: 0, max: 2 ** 53 - 1 }), fc.double({ noNaN: true, noDefaultInfinity: true }));
const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });

const put = fc.record({
  method: fc.constant("PUT" as const),
  path: text,
  value: text,
  dir: fc.boolean(),
  prevExist: maybe(fc.boolean()),
  prevValue: maybe(text),
  prevIndex: maybe(num),
  expireAtUs: fc.option(num, { nil: null }),
  refresh: fc.boolean(),
  nowUs: num,
});
const post = fc.record({ method: fc.constant("POST" as const), path: text, value: text, dir: fc.boolean(), expireAtUs: fc.option(num, { nil: null }), nowUs: num });
const del = fc.record({
  method: fc.constant("DELETE" as const),
  path: text,
  dir: fc.boolean(),
  recursive: fc.boolean(),
  prevValue: maybe(text),
  prevIndex: maybe(num),
  nowUs: num,
});

/** What a request means: an absent optional field and an undefined one are the same. */
function plain(req: V2Request): Record<string, unknown> {
  return Object.fromEntries(Object.entries(req).filter(([, v]) => v !== undefined));
}

describe("request entries", () => {
  test("writes round-trip through the compact form", () => {
    fc.assert(
      fc.property(text, fc.oneof(put, post, del), (id, req) => {
        const data = encodeRequestEntry(id, req);
        expect(data[0]).toBe(1);
        const back = decodeRequestEntry(data);
        expect(back.id).toBe(id);
        expect(plain(back.req)).toEqual(plain(req));
      }),
      { numRuns: 2000 },
    );
  });

  test("other requests are JSON, and JSON entries written before the compact form still decode", () => {
    const sync: V2Request = { method: "SYNC", timeUs: 1_700_000_000_000_000 };
    expect(decodeRequestEntry(encodeRequestEntry("a.1", sync))).toEqual({ id: "a.1", req: sync });
    const old = { id: "m.2", req: { method: "PUT", path: "/1/k", value: "v", dir: false, expireAtUs: null, refresh: false, nowUs: 5 } };
    expect(decodeRequestEntry(utf8.encode(JSON.stringify(old)))).toEqual(old as never);
    // A lone surrogate has no UTF-8 form: such a write stays JSON, which keeps it.
    const lone: V2Request = { method: "POST", path: "/1/q", value: "a\ud800b", dir: false, expireAtUs: null, nowUs: 2 };
    const data = encodeRequestEntry("b.1", lone);
    expect(data[0]).toBe(0x7b);
    expect(decodeRequestEntry(data).req).toEqual(lone);
    // So does a request whose fields are not what their types say (the store refuses it on apply).
    const odd = { method: "PUT", path: 42, value: "x" } as unknown as V2Request;
    expect(encodeRequestEntry("c.1", odd)[0]).toBe(0x7b);
    expect(decodeRequestEntry(encodeRequestEntry("c.1", odd)).req).toEqual(odd);
  });

  test("bytes that are no request entry are refused, never half read", () => {
    const good = encodeRequestEntry("id", { method: "PUT", path: "/1/a", value: "é", dir: false, expireAtUs: null, refresh: false, nowUs: 1 });
    for (let cut = 0; cut < good.length; cut++) expect(() => decodeRequestEntry(good.subarray(0, cut))).toThrow();
    expect(() => decodeRequestEntry(Uint8Array.of(1, 9, 0, ...new Array(30).fill(0)))).toThrow();
    expect(() => decodeRequestEntry(utf8.encode("[1]"))).toThrow();
    expect(() => decodeRequestEntry(utf8.encode('{"id":3}'))).toThrow();
  });
});
