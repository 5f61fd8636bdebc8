// The comparison itself: normalization must erase what legitimately differs between two servers
// (index base, timestamps, URLs, IDs, listing order) and nothing else.
import { describe, expect, test } from "bun:test";
import { diffValues } from "./harness/diff.ts";
import { normalizeHeaders, normalizeJson, type ServerContext } from "./harness/normalize.ts";

const ctxA: ServerContext = { base: 3, aliases: new Map([["http://127.0.0.1:1111", "<client-url>"], ["aaaa", "<member-id>"]]) };
const ctxB: ServerContext = { base: 10, aliases: new Map([["http://127.0.0.1:2222", "<client-url>"], ["bbbb", "<member-id>"]]) };
const unordered = { ordered: false, vary: [] };

describe("normalization", () => {
  test("indexes become deltas from the sequence base, so equal deltas compare equal", () => {
    const a = normalizeJson(ctxA, { action: "set", node: { key: "/q/00000000000000000004", modifiedIndex: 4, createdIndex: 4 } }, unordered);
    const b = normalizeJson(ctxB, { action: "set", node: { key: "/q/00000000000000000011", modifiedIndex: 11, createdIndex: 11 } }, unordered);
    expect(diffValues(a, b)).toEqual([]);
    const off = normalizeJson(ctxB, { action: "set", node: { key: "/q/00000000000000000012", modifiedIndex: 12, createdIndex: 11 } }, unordered);
    expect(diffValues(a, off)).toEqual([
      '$.node.key: "/q/<#1>" vs "/q/<#2>"',
      '$.node.modifiedIndex: "#1" vs "#2"',
    ]);
  });

  test("error index 0 stays 0 and history-cleared causes map both numbers", () => {
    const a = normalizeJson(ctxA, { errorCode: 401, cause: "the requested history has been cleared [5/4]", index: 1004 }, unordered);
    const b = normalizeJson(ctxB, { errorCode: 401, cause: "the requested history has been cleared [12/11]", index: 1011 }, unordered);
    expect(diffValues(a, b)).toEqual([]);
    expect(normalizeJson(ctxA, { errorCode: 209, index: 0 }, unordered)).toEqual({ errorCode: 209, index: 0 });
  });

  test("listings compare as sets unless sorted, and field order counts", () => {
    const x = { nodes: [{ key: "/a" }, { key: "/b" }] };
    const y = { nodes: [{ key: "/b" }, { key: "/a" }] };
    expect(diffValues(normalizeJson(ctxA, x, unordered), normalizeJson(ctxB, y, unordered))).toEqual([]);
    const ordered = { ordered: true, vary: [] };
    expect(diffValues(normalizeJson(ctxA, x, ordered), normalizeJson(ctxB, y, ordered))).not.toEqual([]);
    expect(diffValues({ key: "/a", value: "1" }, { value: "1", key: "/a" })).toEqual(["$: field order key,value vs value,key"]);
  });

  test("timestamps must look like Go's, ttl may lag by one second, URLs and IDs become placeholders", () => {
    const good = normalizeJson(ctxA, { expiration: "2026-11-25T11:58:32.43650399Z", ttl: 5 }, unordered);
    expect(diffValues(good, normalizeJson(ctxB, { expiration: "2026-11-25T11:58:33Z", ttl: 4 }, unordered))).toEqual([]);
    expect(diffValues(good, normalizeJson(ctxB, { expiration: "2026-11-25T11:58:33.100Z", ttl: 5 }, unordered))).toHaveLength(1);
    expect(diffValues(good, normalizeJson(ctxB, { expiration: "2026-11-25T11:58:33Z", ttl: 3 }, unordered))).toHaveLength(1);
    const m = normalizeJson(ctxA, { id: "aaaa", clientURLs: ["http://127.0.0.1:1111"] }, unordered);
    expect(diffValues(m, normalizeJson(ctxB, { id: "bbbb", clientURLs: ["http://127.0.0.1:2222"] }, unordered))).toEqual([]);
  });

  test("only the headers that matter are kept, raft headers by presence", () => {
    const h = new Headers({ "X-Etcd-Index": "13", "X-Raft-Index": "99", "Content-Type": "application/json", Date: "now" });
    expect(normalizeHeaders(ctxB, h)).toEqual({ "x-etcd-index": "#3", "x-raft-index": "<number>", "content-type": "application/json" });
  });
});
