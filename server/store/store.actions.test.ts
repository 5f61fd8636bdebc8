import { describe, expect, test } from "bun:test";
import { deleteRequest, postRequest, putRequest } from "./requests.ts";
import { createStore } from "./store.ts";
import { EtcdError, type V2Store } from "./types.ts";

const NOW = 1_764_072_000_000_000; // 2025-11-25T12:00:00Z
const S = 1_000_000;

function fresh(): V2Store {
  return createStore({ namespaces: ["/0", "/1", "/2"] });
}

/** The error `fn` throws, checked to be an EtcdError with the given code, cause and index. */
function expectError(fn: () => unknown, code: number, cause: string, index: number): EtcdError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(EtcdError);
  const err = caught as EtcdError;
  expect({ code: err.errorCode, cause: err.cause_, index: err.index }).toEqual({ code, cause, index });
  return err;
}

const set = (s: V2Store, path: string, value: string, extra = {}) =>
  s.apply(putRequest(path, { value, nowUs: NOW, ...extra }));

describe("set", () => {
  test("new key, then over it: createdIndex resets and prevNode is the old key", () => {
    const s = fresh();
    const a = set(s, "/1/message", "Hello world");
    expect(a).toEqual({
      event: { action: "set", node: { key: "/1/message", value: "Hello world", modifiedIndex: 1, createdIndex: 1 } },
      index: 1,
    });
    const b = set(s, "/1/message", "Hello etcd");
    expect(JSON.stringify(b.event)).toBe(
      '{"action":"set","node":{"key":"/1/message","value":"Hello etcd","modifiedIndex":2,"createdIndex":2},' +
        '"prevNode":{"key":"/1/message","value":"Hello world","modifiedIndex":1,"createdIndex":1}}',
    );
    expect(s.index).toBe(2);
  });

  test("empty value is kept as value:\"\"; dir=true ignores the value", () => {
    const s = fresh();
    expect(set(s, "/1/e", "").event.node).toEqual({ key: "/1/e", value: "", modifiedIndex: 1, createdIndex: 1 });
    expect(JSON.stringify(set(s, "/1/d", "ignored", { dir: true }).event.node)).toBe(
      '{"key":"/1/d","dir":true,"modifiedIndex":2,"createdIndex":2}',
    );
  });

  test("intermediate directories are created at the write's index", () => {
    const s = fresh();
    set(s, "/1/dir/a/b/c", "v");
    const got = s.get("/1/dir/a", { recursive: true, sorted: false, nowUs: NOW });
    expect(got.event.node).toEqual({
      key: "/1/dir/a",
      dir: true,
      nodes: [
        {
          key: "/1/dir/a/b",
          dir: true,
          nodes: [{ key: "/1/dir/a/b/c", value: "v", modifiedIndex: 1, createdIndex: 1 }],
          modifiedIndex: 1,
          createdIndex: 1,
        },
      ],
      modifiedIndex: 1,
      createdIndex: 1,
    });
  });

  test("a key may be replaced by a directory, but a directory is never replaced", () => {
    const s = fresh();
    set(s, "/1/k", "v");
    const r = set(s, "/1/k", "", { dir: true });
    expect(r.event.prevNode).toEqual({ key: "/1/k", value: "v", modifiedIndex: 1, createdIndex: 1 });
    expectError(() => set(s, "/1/k", "x"), 102, "/1/k", 2);
    expectError(() => set(s, "/1/k", "", { dir: true }), 102, "/1/k", 2);
  });

  test("root and namespaces are read only; a key in the path is 104 with that key as cause", () => {
    const s = fresh();
    for (const p of ["/", "/0", "/1", "/2", "/1/../1", "//"]) expectError(() => set(s, p, "x"), 107, "/", 0);
    set(s, "/1/foo", "bar");
    expectError(() => set(s, "/1/foo/bar", "x"), 104, "/1/foo", 1);
    expectError(() => set(s, "/1/foo/bar/baz", "x"), 104, "/1/foo", 1);
  });

  test("paths are cleaned like Go's path.Clean", () => {
    const s = fresh();
    expect(set(s, "1//a/./b/", "v").event.node?.key).toBe("/1/a/b");
    expect(s.get("/1/a/x/../b", { recursive: false, sorted: false, nowUs: NOW }).event.node?.value).toBe("v");
  });
});

describe("create", () => {
  test("PUT prevExist=false creates, ignores prevValue/prevIndex, 105 when present", () => {
    const s = fresh();
    const r = s.apply(putRequest("/1/newkey", { value: "created", prevExist: false, prevValue: "zz", prevIndex: 9, nowUs: NOW }));
    expect(r.event).toEqual({
      action: "create",
      node: { key: "/1/newkey", value: "created", modifiedIndex: 1, createdIndex: 1 },
    });
    expectError(() => s.apply(putRequest("/1/newkey", { prevExist: false, nowUs: NOW })), 105, "/1/newkey", 1);
    expectError(() => s.apply(putRequest("/1", { prevExist: false, dir: true, nowUs: NOW })), 107, "/", 1);
    set(s, "/1/d", "", { dir: true });
    expectError(() => s.apply(putRequest("/1/d", { prevExist: false, dir: true, nowUs: NOW })), 105, "/1/d", 2);
  });

  test("POST names the child with the 20-digit index it gets, under root too", () => {
    const s = fresh();
    set(s, "/1/x", "1");
    const a = s.apply(postRequest("/1/queue", { value: "job1", nowUs: NOW }));
    expect(a.event.node).toEqual({
      key: "/1/queue/00000000000000000002",
      value: "job1",
      modifiedIndex: 2,
      createdIndex: 2,
    });
    const b = s.apply(postRequest("/1/queue", { dir: true, nowUs: NOW }));
    expect(b.event.node).toEqual({ key: "/1/queue/00000000000000000003", dir: true, modifiedIndex: 3, createdIndex: 3 });
    // The parent was created by the first POST, at that index.
    const q = s.get("/1/queue", { recursive: false, sorted: true, nowUs: NOW }).event.node!;
    expect([q.createdIndex, q.nodes!.map((n) => n.key)]).toEqual([
      2,
      ["/1/queue/00000000000000000002", "/1/queue/00000000000000000003"],
    ]);
    expect(s.apply(postRequest("/", { value: "r", nowUs: NOW })).event.node?.key).toBe("/00000000000000000004");
    expectError(() => s.apply(postRequest("/1/x", { nowUs: NOW })), 104, "/1/x", 4);
  });
});

describe("update", () => {
  test("keeps createdIndex, replaces value and TTL", () => {
    const s = fresh();
    set(s, "/1/foo", "bar", { expireAtUs: NOW + 5 * S });
    const r = s.apply(putRequest("/1/foo", { value: "baz", prevExist: true, nowUs: NOW + S }));
    expect(r.event).toEqual({
      action: "update",
      node: { key: "/1/foo", value: "baz", modifiedIndex: 2, createdIndex: 1 },
      prevNode: {
        key: "/1/foo",
        value: "bar",
        expiration: "2025-11-25T12:00:05Z",
        ttl: 4,
        modifiedIndex: 1,
        createdIndex: 1,
      },
    });
    expect(s.nextExpiryUs()).toBeNull();
  });

  test("errors: 107, 100 with first missing component, 104, 102 for a value on a directory", () => {
    const s = fresh();
    const upd = (path: string, value = "") => s.apply(putRequest(path, { value, prevExist: true, nowUs: NOW }));
    expectError(() => upd("/1"), 107, "/", 0);
    expectError(() => upd("/1/nope/deeper/x"), 100, "/1/nope", 0);
    set(s, "/1/k", "v");
    expectError(() => upd("/1/k/x"), 104, "/1/k", 1);
    set(s, "/1/d", "", { dir: true });
    expectError(() => upd("/1/d", "x"), 102, "/1/d", 2);
  });

  test("a directory's TTL update reports the new modifiedIndex but stores the old (etcd quirk)", () => {
    const s = fresh();
    set(s, "/1/dd/a/b", "v");
    const r = s.apply(putRequest("/1/dd", { dir: true, prevExist: true, expireAtUs: NOW + 100 * S, nowUs: NOW }));
    expect(JSON.stringify(r.event)).toBe(
      '{"action":"update","node":{"key":"/1/dd","dir":true,"expiration":"2025-11-25T12:01:40Z","ttl":100,' +
        '"modifiedIndex":2,"createdIndex":1},"prevNode":{"key":"/1/dd","dir":true,"modifiedIndex":1,"createdIndex":1}}',
    );
    const got = s.get("/1/dd", { recursive: false, sorted: false, nowUs: NOW }).event.node!;
    expect([got.modifiedIndex, got.ttl, got.nodes?.length]).toEqual([1, 100, 1]);
    expect(s.index).toBe(2);
  });
});

describe("compareAndSwap", () => {
  test("by value, by index, by both; keeps createdIndex and drops the TTL when none given", () => {
    const s = fresh();
    set(s, "/1/foo", "one", { expireAtUs: NOW + 100 * S });
    const r = s.apply(putRequest("/1/foo", { value: "two", prevValue: "one", nowUs: NOW }));
    expect(r.event).toEqual({
      action: "compareAndSwap",
      node: { key: "/1/foo", value: "two", modifiedIndex: 2, createdIndex: 1 },
      prevNode: {
        key: "/1/foo",
        value: "one",
        expiration: "2025-11-25T12:01:40Z",
        ttl: 100,
        modifiedIndex: 1,
        createdIndex: 1,
      },
    });
    expect(s.apply(putRequest("/1/foo", { value: "3", prevIndex: 2, nowUs: NOW })).event.node?.value).toBe("3");
    const both = s.apply(putRequest("/1/foo", { value: "4", prevIndex: 3, prevValue: "3", prevExist: true, nowUs: NOW }));
    expect(both.event.action).toBe("compareAndSwap");
    expect(s.nextExpiryUs()).toBeNull();
  });

  test("errors in order: 107, 100, 102, 101 with etcd's causes", () => {
    const s = fresh();
    const cas = (path: string, prevValue?: string, prevIndex?: number) =>
      s.apply(putRequest(path, { value: "x", prevValue, prevIndex, nowUs: NOW }));
    expectError(() => cas("/1", "a"), 107, "/", 0);
    expectError(() => cas("/1/missing", "a"), 100, "/1/missing", 0);
    set(s, "/1/d", "", { dir: true });
    expectError(() => cas("/1/d", "a"), 102, "/1/d", 1);
    set(s, "/1/foo", "one");
    expectError(() => cas("/1/foo", "two"), 101, "[two != one]", 2);
    expectError(() => cas("/1/foo", undefined, 1), 101, "[1 != 2]", 2);
    expectError(() => cas("/1/foo", "two", 1), 101, "[two != one] [1 != 2]", 2);
    expectError(() => cas("/1/foo", "one", 1), 101, "[1 != 2]", 2);
  });
});

describe("delete", () => {
  test("a key: node has no value and the delete index", () => {
    const s = fresh();
    set(s, "/1/message", "Hello etcd");
    const r = s.apply(deleteRequest("/1/message", { nowUs: NOW }));
    expect(JSON.stringify(r.event)).toBe(
      '{"action":"delete","node":{"key":"/1/message","modifiedIndex":2,"createdIndex":1},' +
        '"prevNode":{"key":"/1/message","value":"Hello etcd","modifiedIndex":1,"createdIndex":1}}',
    );
    expectError(() => s.get("/1/message", { recursive: false, sorted: false, nowUs: NOW }), 100, "/1/message", 2);
  });

  test("dir/recursive flags: 102 without, 108 when non-empty (hidden children count), recursive removes all", () => {
    const s = fresh();
    set(s, "/1/d/_hidden", "h");
    const del = (o: { dir?: boolean; recursive?: boolean }) => s.apply(deleteRequest("/1/d", { ...o, nowUs: NOW }));
    expectError(() => del({}), 102, "/1/d", 1);
    expectError(() => del({ dir: true }), 108, "/1/d", 1);
    const r = del({ recursive: true });
    expect(r.event).toEqual({
      action: "delete",
      node: { key: "/1/d", dir: true, modifiedIndex: 2, createdIndex: 1 },
      prevNode: { key: "/1/d", dir: true, modifiedIndex: 1, createdIndex: 1 },
    });
    set(s, "/1/empty", "", { dir: true });
    expect(s.apply(deleteRequest("/1/empty", { dir: true, nowUs: NOW })).index).toBe(4);
    set(s, "/1/k", "v");
    expect(s.apply(deleteRequest("/1/k", { recursive: true, nowUs: NOW })).event.action).toBe("delete");
  });

  test("errors: root and namespaces 107, missing 100, key in path 104", () => {
    const s = fresh();
    expectError(() => s.apply(deleteRequest("/", { recursive: true, nowUs: NOW })), 107, "/", 0);
    expectError(() => s.apply(deleteRequest("/2", { dir: true, nowUs: NOW })), 107, "/", 0);
    expectError(() => s.apply(deleteRequest("/1/a/b", { nowUs: NOW })), 100, "/1/a", 0);
    set(s, "/1/a", "v");
    expectError(() => s.apply(deleteRequest("/1/a/b", { nowUs: NOW })), 104, "/1/a", 1);
  });
});

describe("compareAndDelete", () => {
  test("succeeds on a match; 100, 102 (also on the root), 101 otherwise", () => {
    const s = fresh();
    const cad = (path: string, prevValue?: string, prevIndex?: number) =>
      s.apply(deleteRequest(path, { prevValue, prevIndex, nowUs: NOW }));
    expectError(() => cad("/1/cad", "one"), 100, "/1/cad", 0);
    expectError(() => cad("/", "one"), 102, "/", 0);
    set(s, "/1/cad", "one");
    expectError(() => cad("/1/cad", "two"), 101, "[two != one]", 1);
    expectError(() => cad("/1/cad", undefined, 7), 101, "[7 != 1]", 1);
    const r = cad("/1/cad", "one", 1);
    expect(JSON.stringify(r.event)).toBe(
      '{"action":"compareAndDelete","node":{"key":"/1/cad","modifiedIndex":2,"createdIndex":1},' +
        '"prevNode":{"key":"/1/cad","value":"one","modifiedIndex":1,"createdIndex":1}}',
    );
    set(s, "/1/dir/x", "v");
    expectError(() => cad("/1/dir", "v"), 102, "/1/dir", 3);
  });
});

describe("get and listings", () => {
  test("root listing has no key or indexes; namespaces at index 0 have no indexes", () => {
    const s = fresh();
    expect(JSON.stringify(s.get("/", { recursive: false, sorted: true, nowUs: NOW }).event)).toBe(
      '{"action":"get","node":{"dir":true,"nodes":[{"key":"/0","dir":true},{"key":"/1","dir":true},{"key":"/2","dir":true}]}}',
    );
    expect(JSON.stringify(createStore({ namespaces: [] }).get("/", { recursive: true, sorted: false, nowUs: NOW }).event)).toBe(
      '{"action":"get","node":{"dir":true}}',
    );
  });

  test("non-recursive lists one level; empty dirs have no nodes; hidden nodes are left out", () => {
    const s = fresh();
    set(s, "/1/d/sub/x", "1");
    set(s, "/1/d/k", "2");
    set(s, "/1/d/empty", "", { dir: true });
    set(s, "/1/d/_hid", "3");
    set(s, "/1/d/_hdir/y", "4");
    const flat = s.get("/1/d", { recursive: false, sorted: true, nowUs: NOW }).event.node!;
    expect(flat.nodes).toEqual([
      { key: "/1/d/empty", dir: true, modifiedIndex: 3, createdIndex: 3 },
      { key: "/1/d/k", value: "2", modifiedIndex: 2, createdIndex: 2 },
      { key: "/1/d/sub", dir: true, modifiedIndex: 1, createdIndex: 1 },
    ]);
    const deep = s.get("/1/d", { recursive: true, sorted: true, nowUs: NOW }).event.node!;
    expect(deep.nodes![0]).toEqual({ key: "/1/d/empty", dir: true, modifiedIndex: 3, createdIndex: 3 });
    expect(deep.nodes![2]!.nodes).toEqual([{ key: "/1/d/sub/x", value: "1", modifiedIndex: 1, createdIndex: 1 }]);
    // Hidden nodes are readable by their own path, and a hidden dir lists its visible children.
    expect(s.get("/1/d/_hid", { recursive: false, sorted: false, nowUs: NOW }).event.node?.value).toBe("3");
    expect(s.get("/1/d/_hdir", { recursive: false, sorted: false, nowUs: NOW }).event.node?.nodes?.length).toBe(1);
  });

  test("sorted is byte-wise (UTF-8) at every level; a key GET ignores recursive/sorted", () => {
    const s = fresh();
    const names = ["b", "a", "B", "\u{1F600}", "\uFF21", "a0", "é"];
    for (const n of names) set(s, `/1/s/${n}/x${n}`, n);
    set(s, "/1/s/a/c", "1");
    const node = s.get("/1/s", { recursive: true, sorted: true, nowUs: NOW }).event.node!;
    const bytes = (k: string) => Buffer.from(k);
    const expected = names.map((n) => `/1/s/${n}`).sort((x, y) => Buffer.compare(bytes(x), bytes(y)));
    expect(node.nodes!.map((n) => n.key)).toEqual(expected);
    expect(node.nodes!.find((n) => n.key === "/1/s/a")!.nodes!.map((n) => n.key)).toEqual(["/1/s/a/c", "/1/s/a/xa"]);
    expect(s.get("/1/s/a/c", { recursive: true, sorted: true, nowUs: NOW }).event.node).toEqual({
      key: "/1/s/a/c",
      value: "1",
      modifiedIndex: names.length + 1,
      createdIndex: names.length + 1,
    });
  });

  test("errors: 100 with the first missing component, 104 with the key in the way", () => {
    const s = fresh();
    expectError(() => s.get("/1/nope/deeper/x", { recursive: false, sorted: false, nowUs: NOW }), 100, "/1/nope", 0);
    set(s, "/1/k", "v");
    expectError(() => s.get("/1/k/x", { recursive: false, sorted: false, nowUs: NOW }), 104, "/1/k", 1);
  });

  test("QGET through apply is a get", () => {
    const s = fresh();
    set(s, "/1/k", "v");
    const r = s.apply({ method: "QGET", path: "/1/k", recursive: false, sorted: false, nowUs: NOW });
    expect(r).toEqual({ event: { action: "get", node: { key: "/1/k", value: "v", modifiedIndex: 1, createdIndex: 1 } }, index: 1 });
  });
});

describe("stats", () => {
  test("the 16 counters in etcd's order, success and failure per operation", () => {
    const s = fresh();
    const attempt = (fn: () => unknown) => {
      try {
        fn();
      } catch {}
    };
    set(s, "/1/a", "1");
    attempt(() => set(s, "/1", "x"));
    s.apply(putRequest("/1/a", { value: "2", prevExist: true, nowUs: NOW }));
    attempt(() => s.apply(putRequest("/1/zz", { prevExist: true, nowUs: NOW })));
    s.apply(putRequest("/1/b", { prevExist: false, nowUs: NOW }));
    attempt(() => s.apply(putRequest("/1/b", { prevExist: false, nowUs: NOW })));
    s.apply(postRequest("/1/q", { nowUs: NOW }));
    s.apply(putRequest("/1/a", { value: "3", prevValue: "2", nowUs: NOW }));
    attempt(() => s.apply(putRequest("/1/a", { value: "3", prevValue: "2", nowUs: NOW })));
    s.apply(deleteRequest("/1/a", { prevValue: "3", nowUs: NOW }));
    attempt(() => s.apply(deleteRequest("/1/a", { prevValue: "3", nowUs: NOW })));
    s.apply(deleteRequest("/1/b", { nowUs: NOW }));
    attempt(() => s.apply(deleteRequest("/1/b", { nowUs: NOW })));
    s.get("/1", { recursive: false, sorted: false, nowUs: NOW });
    attempt(() => s.get("/1/none", { recursive: false, sorted: false, nowUs: NOW }));
    set(s, "/1/t", "x", { expireAtUs: NOW });
    s.apply({ method: "SYNC", timeUs: NOW });
    s.watch("/1/w", { recursive: false, stream: false, sinceIndex: 0 });
    expect(JSON.stringify(s.stats())).toBe(
      '{"getsSuccess":1,"getsFail":1,"setsSuccess":2,"setsFail":1,"deleteSuccess":1,"deleteFail":1,' +
        '"updateSuccess":1,"updateFail":1,"createSuccess":2,"createFail":1,"compareAndSwapSuccess":1,' +
        '"compareAndSwapFail":1,"compareAndDeleteSuccess":1,"compareAndDeleteFail":1,"expireCount":1,"watchers":1}',
    );
  });
});
