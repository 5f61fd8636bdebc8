import { describe, expect, test } from "bun:test";
import { deleteRequest, putRequest } from "./requests.ts";
import { createStore } from "./store.ts";
import { EtcdError, type EventJSON, type V2Store, type Watcher } from "./types.ts";
import { WATCHER_BUFFER_EVENTS } from "./watcher.ts";

const NOW = 1_764_072_000_000_000;

function fresh(): V2Store {
  return createStore({ namespaces: ["/0", "/1", "/2"] });
}
const set = (s: V2Store, path: string, value: string, extra = {}) =>
  s.apply(putRequest(path, { value, nowUs: NOW, ...extra }));
const once = (s: V2Store, path: string, recursive = false, sinceIndex = 0) =>
  s.watch(path, { recursive, stream: false, sinceIndex });
const stream = (s: V2Store, path: string, recursive = false, sinceIndex = 0) =>
  s.watch(path, { recursive, stream: true, sinceIndex });

/** A next() that lost a race in drain(), kept so its event is not lost. */
const pendingNext = new WeakMap<Watcher, Promise<EventJSON | null>>();

/** Everything a watcher has queued right now, without waiting for the future. */
async function drain(w: Watcher): Promise<EventJSON[]> {
  const out: EventJSON[] = [];
  for (;;) {
    const next = pendingNext.get(w) ?? w.next();
    pendingNext.delete(w);
    const tick = Symbol();
    const e = await Promise.race([next, Promise.resolve().then(() => tick)]);
    if (e === tick) {
      pendingNext.set(w, next);
      return out;
    }
    if (e === null) return out;
    out.push(e as EventJSON);
  }
}
const keys = (events: EventJSON[]) => events.map((e) => `${e.action} ${e.node?.key}@${e.node?.modifiedIndex}`);

describe("live matching", () => {
  test("one-shot exact watch: one event, then closed and unregistered", async () => {
    const s = fresh();
    set(s, "/1/x", "0");
    const w = once(s, "/1/foo");
    expect(w.startIndex).toBe(1);
    expect(s.stats().watchers).toBe(1);
    expect(s.watchedKeys()).toEqual([{ key: "/1/foo", recursive: false, count: 1 }]);
    const pending = w.next();
    set(s, "/1/foo/child", "ignored-not-recursive");
    set(s, "/1/other", "ignored");
    s.apply(deleteRequest("/1/foo/child", { nowUs: NOW }));
    s.apply(deleteRequest("/1/foo", { dir: true, nowUs: NOW }));
    const e = await pending;
    expect(e).toEqual({
      action: "delete",
      node: { key: "/1/foo", dir: true, modifiedIndex: 5, createdIndex: 2 },
      prevNode: { key: "/1/foo", dir: true, modifiedIndex: 2, createdIndex: 2 },
    });
    expect(await w.next()).toBeNull();
    expect(s.stats().watchers).toBe(0);
    expect(s.watchedKeys()).toEqual([]);
  });

  test("recursive watch sees the key and everything below, not siblings with a common prefix", async () => {
    const s = fresh();
    const w = stream(s, "/1/foo", true);
    set(s, "/1/foo", "a");
    set(s, "/1/foobar", "no");
    set(s, "/1/foo", "", { dir: true });
    set(s, "/1/foo/b/c", "d");
    expect(keys(await drain(w))).toEqual(["set /1/foo@1", "set /1/foo@3", "set /1/foo/b/c@4"]);
  });

  test("a root recursive watch sees every key", async () => {
    const s = fresh();
    const w = stream(s, "/", true);
    set(s, "/1/a", "1");
    set(s, "/0/members/x", "2");
    expect(keys(await drain(w))).toEqual(["set /1/a@1", "set /0/members/x@2"]);
  });

  test("a future waitIndex skips earlier events", async () => {
    const s = fresh();
    const w = once(s, "/1/k", false, 3);
    set(s, "/1/k", "1");
    set(s, "/1/k", "2");
    set(s, "/1/k", "3");
    expect(keys(await drain(w))).toEqual(["set /1/k@3"]);
  });

  test("deleting a directory notifies watchers at every existing path below it (like etcd)", async () => {
    const s = fresh();
    set(s, "/1/d/a/b", "v");
    set(s, "/1/d/_h/x", "v");
    const below = [once(s, "/1/d/a/b"), once(s, "/1/d/a"), stream(s, "/1/d/a", true), once(s, "/1/d/_h/x")];
    const neverThere = [stream(s, "/1/d/never/there"), once(s, "/1/d/a/b/c")];
    const ancestorRec = stream(s, "/1", true);
    const ancestorFlat = stream(s, "/1");
    const beside = stream(s, "/1/dd", true);
    const r = s.apply(deleteRequest("/1/d", { recursive: true, nowUs: NOW }));
    for (const w of below) expect(await drain(w)).toEqual([r.event]);
    for (const w of neverThere) expect(await drain(w)).toEqual([]);
    expect(await drain(ancestorRec)).toEqual([r.event]);
    expect(await drain(ancestorFlat)).toEqual([]);
    expect(await drain(beside)).toEqual([]);
  });

  test("hidden keys: ancestors do not see them live, their own path does", async () => {
    const s = fresh();
    const root = stream(s, "/1", true);
    const own = stream(s, "/1/_h");
    const inside = stream(s, "/1/_h", true);
    set(s, "/1/_h", "", { dir: true });
    set(s, "/1/_h/x", "1");
    set(s, "/1/a/_y/z", "2");
    set(s, "/1/a/b", "3");
    expect(keys(await drain(root))).toEqual(["set /1/a/b@4"]);
    expect(keys(await drain(own))).toEqual(["set /1/_h@1"]);
    expect(keys(await drain(inside))).toEqual(["set /1/_h@1", "set /1/_h/x@2"]);
    // History replay does not filter hidden keys.
    expect(keys(await drain(stream(s, "/1", true, 1)))).toEqual([
      "set /1/_h@1",
      "set /1/_h/x@2",
      "set /1/a/_y/z@3",
      "set /1/a/b@4",
    ]);
  });

  test("fan-out: every watcher of a key gets the same event; others none", async () => {
    const s = fresh();
    const many = Array.from({ length: 500 }, () => once(s, "/1/hot"));
    const cold = stream(s, "/1/cold", true);
    expect(s.stats().watchers).toBe(501);
    const r = set(s, "/1/hot", "x");
    for (const w of many) expect(await w.next()).toBe(r.event);
    expect(await drain(cold)).toEqual([]);
    expect(s.stats().watchers).toBe(1);
  });
});

describe("history", () => {
  test("one-shot watch in the past returns the first match at or after waitIndex, unregistered", async () => {
    const s = fresh();
    set(s, "/1/foo", "a");
    set(s, "/1/bar", "b");
    set(s, "/1/foo", "c");
    set(s, "/1/foo", "d");
    const w = once(s, "/1/foo", false, 2);
    expect(w.startIndex).toBe(4);
    expect(s.stats().watchers).toBe(0);
    expect(keys(await drain(w))).toEqual(["set /1/foo@3"]);
    expect(await w.next()).toBeNull();
  });

  test("history of a removed directory matches watchers below it", async () => {
    const s = fresh();
    set(s, "/1/d/x", "v");
    s.apply(deleteRequest("/1/d", { recursive: true, nowUs: NOW }));
    expect(keys(await drain(once(s, "/1/d/x/y", false, 2)))).toEqual(["delete /1/d@2"]);
    expect(keys(await drain(once(s, "/1/dx", false, 2)))).toEqual([]);
  });

  test("streaming replays every match in history, then continues live without gap or duplicate", async () => {
    const s = fresh();
    for (let i = 1; i <= 5; i++) set(s, i % 2 ? "/1/k" : "/1/other", String(i));
    const w = stream(s, "/1/k", false, 2);
    expect(w.startIndex).toBe(5);
    expect(s.stats().watchers).toBe(1);
    set(s, "/1/k", "6");
    set(s, "/1/other", "7");
    set(s, "/1/k", "8");
    expect(keys(await drain(w))).toEqual(["set /1/k@3", "set /1/k@5", "set /1/k@6", "set /1/k@8"]);
  });

  test("keeps the last 1000 events; older waitIndex is 401 with [oldest/asked] and the current index", async () => {
    const s = fresh();
    for (let i = 1; i <= 1143; i++) set(s, `/1/k${i % 7}`, String(i));
    let err: unknown;
    try {
      once(s, "/1/k1", false, 8);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(EtcdError);
    expect((err as EtcdError).toJSON()).toEqual({
      errorCode: 401,
      message: "The event in requested index is outdated and cleared",
      cause: "the requested history has been cleared [144/8]",
      index: 1143,
    });
    expect(() => stream(s, "/", true, 143)).toThrow(EtcdError);
    const all = await drain(stream(s, "/", true, 144));
    expect(all).toHaveLength(1000);
    expect([all[0]!.node?.modifiedIndex, all[999]!.node?.modifiedIndex]).toEqual([144, 1143]);
    expect(keys(await drain(once(s, "/1/k3", false, 144)))).toEqual(["set /1/k3@150"]);
  });
});

describe("watcher lifecycle", () => {
  test("a streaming watcher that falls 100 events behind is dropped; apply never waits", async () => {
    const s = fresh();
    const slow = stream(s, "/1", true);
    const keeping = stream(s, "/1", true);
    for (let i = 0; i < WATCHER_BUFFER_EVENTS; i++) {
      set(s, "/1/k", String(i));
      if (i % 10 === 0) await drain(keeping);
    }
    expect(s.stats().watchers).toBe(2);
    set(s, "/1/k", "overflow");
    expect(s.stats().watchers).toBe(1);
    expect(await slow.next()).toBeNull();
    const rest = await drain(keeping);
    expect(rest.at(-1)?.node?.value).toBe("overflow");
  });

  test("replayed history does not count against the live buffer", async () => {
    const s = fresh();
    for (let i = 0; i < 300; i++) set(s, "/1/k", String(i));
    const w = stream(s, "/1/k", false, 1);
    for (let i = 0; i < WATCHER_BUFFER_EVENTS; i++) set(s, "/1/k", `live${i}`);
    expect(s.stats().watchers).toBe(1);
    expect(await drain(w)).toHaveLength(300 + WATCHER_BUFFER_EVENTS);
  });

  test("remove() resolves a pending next() with null, unregisters, and is idempotent", async () => {
    const s = fresh();
    const w = stream(s, "/1/a", true);
    const pending = w.next();
    w.remove();
    w.remove();
    expect(await pending).toBeNull();
    expect(await w.next()).toBeNull();
    expect(s.stats().watchers).toBe(0);
    set(s, "/1/a", "x");
    expect(await w.next()).toBeNull();
  });

  test("watchedKeys groups by key and mode", () => {
    const s = fresh();
    const ws = [once(s, "/1/a"), once(s, "/1/a"), stream(s, "/1/a", true), once(s, "/")];
    expect(s.watchedKeys()).toEqual([
      { key: "/", recursive: false, count: 1 },
      { key: "/1/a", recursive: false, count: 2 },
      { key: "/1/a", recursive: true, count: 1 },
    ]);
    for (const w of ws) w.remove();
    expect(s.watchedKeys()).toEqual([]);
  });

  test("recover closes open watchers", async () => {
    const s = fresh();
    set(s, "/1/a", "x");
    const snap = s.save();
    const w = stream(s, "/1/a");
    const pending = w.next();
    s.recover(snap);
    expect(await pending).toBeNull();
    expect(s.stats().watchers).toBe(0);
  });
});
