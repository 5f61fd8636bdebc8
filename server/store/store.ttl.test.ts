import { describe, expect, test } from "bun:test";
import { deleteRequest, putRequest } from "./requests.ts";
import { createStore } from "./store.ts";
import { formatExpiration, MIN_EXPIRE_US, ttlSeconds } from "./time.ts";
import { EtcdError, type EventJSON, type V2Store } from "./types.ts";

const NOW = 1_764_072_000_000_000; // 2025-11-25T12:00:00Z
const S = 1_000_000;

function fresh(): V2Store {
  return createStore({ namespaces: ["/0", "/1", "/2"] });
}
const set = (s: V2Store, path: string, value: string, extra = {}) =>
  s.apply(putRequest(path, { value, nowUs: NOW, ...extra }));
const sync = (s: V2Store, timeUs: number) => s.apply({ method: "SYNC", timeUs });
const get = (s: V2Store, path: string, nowUs = NOW) =>
  s.get(path, { recursive: true, sorted: true, nowUs }).event.node!;

describe("expiration display", () => {
  test("Go RFC 3339: UTC, fraction trimmed of trailing zeros, none when whole", () => {
    expect(formatExpiration(NOW)).toBe("2025-11-25T12:00:00Z");
    expect(formatExpiration(NOW + 436_500)).toBe("2025-11-25T12:00:00.4365Z");
    expect(formatExpiration(NOW + 1)).toBe("2025-11-25T12:00:00.000001Z");
    expect(formatExpiration(NOW + 59 * S + 999_990)).toBe("2025-11-25T12:00:59.99999Z");
  });

  test("the calendar arithmetic agrees with Date across every expiration a key can have", () => {
    const check = (us: number) => expect(formatExpiration(us).slice(0, 19)).toBe(new Date(Math.floor(us / S) * 1000).toISOString().slice(0, 19));
    // Every day boundary (and the second before it) from 2000 through 2100, leap days included.
    for (let day = MIN_EXPIRE_US / S / 86_400; day < 47_482; day++) {
      check(day * 86_400 * S);
      check((day * 86_400 - 1) * S + 999_999);
    }
    // And a spread up to the largest expiration a request can carry (2^53 - 1 microseconds).
    for (let i = 0; i <= 10_000; i++) check(MIN_EXPIRE_US + Math.floor(((Number.MAX_SAFE_INTEGER - MIN_EXPIRE_US) * i) / 10_000));
  });

  test("ttl is ceil of the remaining seconds and 0 once due", () => {
    expect(ttlSeconds(NOW + 5 * S, NOW)).toBe(5);
    expect(ttlSeconds(NOW + 4 * S + 1, NOW)).toBe(5);
    expect(ttlSeconds(NOW + 1, NOW)).toBe(1);
    expect(ttlSeconds(NOW, NOW)).toBe(0);
    expect(ttlSeconds(NOW - 3 * S, NOW)).toBe(0);
  });

  test("a node shows ttl as of the read's now, and omits it when due", () => {
    const s = fresh();
    set(s, "/1/k", "v", { expireAtUs: NOW + 10 * S });
    expect(get(s, "/1/k", NOW + 2.5 * S).ttl).toBe(8);
    const due = get(s, "/1/k", NOW + 10 * S);
    expect(due).toEqual({ key: "/1/k", value: "v", expiration: "2025-11-25T12:00:10Z", modifiedIndex: 1, createdIndex: 1 });
  });

  test("ttl=0 expires at now (no ttl field); expirations before 2000 mean permanent", () => {
    const s = fresh();
    expect(set(s, "/1/zero", "v", { expireAtUs: NOW }).event.node).toEqual({
      key: "/1/zero",
      value: "v",
      expiration: "2025-11-25T12:00:00Z",
      modifiedIndex: 1,
      createdIndex: 1,
    });
    expect(set(s, "/1/old", "v", { expireAtUs: MIN_EXPIRE_US - 1 }).event.node?.expiration).toBeUndefined();
    expect(sync(s, NOW).expired!.map((e) => e.node?.key)).toEqual(["/1/zero"]);
  });
});

describe("SYNC expiry", () => {
  test("expires due nodes in expiration order, one index and one event each", () => {
    const s = fresh();
    set(s, "/1/c", "3", { expireAtUs: NOW + 3 * S });
    set(s, "/1/a", "1", { expireAtUs: NOW + 1 * S });
    set(s, "/1/b", "2", { expireAtUs: NOW + 2 * S });
    set(s, "/1/later", "9", { expireAtUs: NOW + 60 * S });
    set(s, "/1/forever", "p");
    expect(s.nextExpiryUs()).toBe(NOW + S);
    const none = sync(s, NOW + S - 1);
    expect(none).toEqual({ event: { action: "expire" }, index: 5, expired: [] });
    const r = sync(s, NOW + 3 * S);
    expect(r.index).toBe(8);
    expect(r.expired).toEqual([
      {
        action: "expire",
        node: { key: "/1/a", modifiedIndex: 6, createdIndex: 2 },
        prevNode: { key: "/1/a", value: "1", expiration: "2025-11-25T12:00:01Z", modifiedIndex: 2, createdIndex: 2 },
      },
      {
        action: "expire",
        node: { key: "/1/b", modifiedIndex: 7, createdIndex: 3 },
        prevNode: { key: "/1/b", value: "2", expiration: "2025-11-25T12:00:02Z", modifiedIndex: 3, createdIndex: 3 },
      },
      {
        action: "expire",
        node: { key: "/1/c", modifiedIndex: 8, createdIndex: 1 },
        prevNode: { key: "/1/c", value: "3", expiration: "2025-11-25T12:00:03Z", modifiedIndex: 1, createdIndex: 1 },
      },
    ]);
    expect(r.event).toBe(r.expired!.at(-1)!);
    expect(get(s, "/1").nodes!.map((n) => n.key)).toEqual(["/1/forever", "/1/later"]);
    expect(s.nextExpiryUs()).toBe(NOW + 60 * S);
    expect(s.stats().expireCount).toBe(3);
  });

  test("same-time expirations go in path order regardless of insertion order", () => {
    const s = fresh();
    for (const k of ["m", "b", "z", "a"]) set(s, `/1/${k}`, k, { expireAtUs: NOW + S });
    expect(sync(s, NOW + S).expired!.map((e) => e.node?.key)).toEqual(["/1/a", "/1/b", "/1/m", "/1/z"]);
  });

  test("an expiring directory takes its subtree (and its TTLs) with it, in one event", () => {
    const s = fresh();
    set(s, "/1/dir", "", { dir: true, expireAtUs: NOW + 5 * S });
    set(s, "/1/dir/a/b/c", "v", { expireAtUs: NOW + 50 * S });
    const w = s.watch("/1/dir/a/b/c", { recursive: false, stream: false, sinceIndex: 0 });
    const r = sync(s, NOW + 5 * S);
    expect(r.expired).toHaveLength(1);
    expect(JSON.stringify(r.event)).toBe(
      '{"action":"expire","node":{"key":"/1/dir","dir":true,"modifiedIndex":3,"createdIndex":1},' +
        '"prevNode":{"key":"/1/dir","dir":true,"expiration":"2025-11-25T12:00:05Z","modifiedIndex":1,"createdIndex":1}}',
    );
    expect(s.nextExpiryUs()).toBeNull();
    expect(() => get(s, "/1/dir")).toThrow(EtcdError);
    expect(sync(s, NOW + 100 * S).expired).toEqual([]);
    return expect(w.next()).resolves.toBe(r.event);
  });

  test("deleting or replacing a TTL node removes it from the heap", () => {
    const s = fresh();
    set(s, "/1/a", "v", { expireAtUs: NOW + S });
    set(s, "/1/a", "w");
    set(s, "/1/b", "v", { expireAtUs: NOW + 2 * S });
    s.apply(deleteRequest("/1/b", { nowUs: NOW }));
    set(s, "/1/d/x", "v", { expireAtUs: NOW + 3 * S });
    s.apply(deleteRequest("/1/d", { recursive: true, nowUs: NOW }));
    expect(s.nextExpiryUs()).toBeNull();
    expect(sync(s, NOW + 10 * S).expired).toEqual([]);
  });

  test("update moves an expiration later or earlier, and ttl-less writes make keys permanent", () => {
    const s = fresh();
    set(s, "/1/a", "v", { expireAtUs: NOW + 10 * S });
    set(s, "/1/b", "v", { expireAtUs: NOW + 20 * S });
    s.apply(putRequest("/1/b", { value: "v", prevExist: true, expireAtUs: NOW + 5 * S, nowUs: NOW }));
    expect(s.nextExpiryUs()).toBe(NOW + 5 * S);
    s.apply(putRequest("/1/b", { value: "v", prevExist: true, nowUs: NOW }));
    expect(s.nextExpiryUs()).toBe(NOW + 10 * S);
    s.apply(putRequest("/1/c", { value: "v", nowUs: NOW }));
    s.apply(putRequest("/1/c", { value: "v", prevExist: true, expireAtUs: NOW + S, nowUs: NOW }));
    expect(sync(s, NOW + 30 * S).expired!.map((e) => e.node?.key)).toEqual(["/1/c", "/1/a"]);
  });
});

describe("refresh", () => {
  function watchAll(s: V2Store) {
    return s.watch("/", { recursive: true, stream: true, sinceIndex: 0 });
  }

  test("set/update/CAS refresh keep the value, move the TTL, consume an index, wake no watcher", async () => {
    const s = fresh();
    set(s, "/1/r", "a", { expireAtUs: NOW + 100 * S });
    const w = watchAll(s);
    const viaSet = set(s, "/1/r", "", { refresh: true, expireAtUs: NOW + 50 * S });
    // A set-refresh replaces the node as set does, so createdIndex moves (observed on etcd 3.4).
    expect(viaSet.event.node).toEqual({
      key: "/1/r",
      value: "a",
      expiration: "2025-11-25T12:00:50Z",
      ttl: 50,
      modifiedIndex: 2,
      createdIndex: 2,
    });
    const viaUpdate = s.apply(
      putRequest("/1/r", { prevExist: true, refresh: true, expireAtUs: NOW + 60 * S, nowUs: NOW }),
    );
    expect(viaUpdate.event.node).toMatchObject({ value: "a", ttl: 60, modifiedIndex: 3, createdIndex: 2 });
    const viaCas = s.apply(
      putRequest("/1/r", { prevValue: "a", refresh: true, expireAtUs: NOW + 70 * S, nowUs: NOW }),
    );
    expect(viaCas.event.node).toMatchObject({ value: "a", ttl: 70, modifiedIndex: 4, createdIndex: 2 });
    expect(s.index).toBe(4);
    expect(s.nextExpiryUs()).toBe(NOW + 70 * S);
    // Nothing was delivered: the first event the watcher sees is the next real write.
    set(s, "/1/other", "x");
    expect((await w.next())?.node?.key).toBe("/1/other");
    // Nor does history replay show refreshes.
    const replay = s.watch("/1/r", { recursive: false, stream: true, sinceIndex: 1 });
    expect((await replay.next())?.action).toBe("set");
    replay.remove();
    expect(await replay.next()).toBeNull();
  });

  test("refresh of a missing key is 100; of a key under a key 104", () => {
    const s = fresh();
    const refresh = (path: string) => set(s, path, "", { refresh: true, expireAtUs: NOW + S });
    expect(() => refresh("/1/nope")).toThrow(expect.objectContaining({ errorCode: 100, cause_: "/1/nope" }));
    set(s, "/1/k", "v");
    expect(() => refresh("/1/k/x")).toThrow(expect.objectContaining({ errorCode: 104, cause_: "/1/k" }));
    expect(s.index).toBe(1);
  });
});

test("expire events keep ttl/expiration as of mutation time in history", async () => {
  const s = fresh();
  set(s, "/1/k", "v", { expireAtUs: NOW + 30 * S });
  sync(s, NOW + 30 * S);
  const w = s.watch("/1/k", { recursive: false, stream: true, sinceIndex: 1 });
  const got: (EventJSON | null)[] = [await w.next(), await w.next()];
  expect(got.map((e) => [e?.action, e?.node?.ttl, e?.prevNode?.ttl])).toEqual([
    ["set", 30, undefined],
    ["expire", undefined, undefined],
  ]);
});
