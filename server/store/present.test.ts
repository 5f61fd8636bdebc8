import { expect, test } from "bun:test";
import { presentEvent } from "./present.ts";
import { deleteRequest, putRequest } from "./requests.ts";
import { createStore } from "./store.ts";

const NOW = 1_764_072_000_000_000;

test("get with keyPrefix shows the namespace as the root and trims every key", () => {
  const s = createStore({ namespaces: ["/0", "/1", "/2"] });
  s.apply(putRequest("/1/dir/a", { value: "x", nowUs: NOW }));
  s.apply(putRequest("/1/k", { value: "y", nowUs: NOW }));
  s.apply(putRequest("/10/k", { value: "z", nowUs: NOW }));
  const root = s.get("/1", { recursive: true, sorted: true, nowUs: NOW, keyPrefix: "/1" });
  expect(JSON.stringify(root.event)).toBe(
    '{"action":"get","node":{"dir":true,"nodes":[{"key":"/dir","dir":true,"nodes":[{"key":"/dir/a","value":"x",' +
      '"modifiedIndex":1,"createdIndex":1}],"modifiedIndex":1,"createdIndex":1},{"key":"/k","value":"y","modifiedIndex":2,"createdIndex":2}]}}',
  );
  expect(s.get("/1/k", { recursive: false, sorted: false, nowUs: NOW, keyPrefix: "/1" }).event.node?.key).toBe("/k");
  // Only a whole leading segment is a prefix.
  expect(s.get("/10/k", { recursive: false, sorted: false, nowUs: NOW, keyPrefix: "/1" }).event.node?.key).toBe("/10/k");
  const q = s.apply({ method: "QGET", path: "/1/k", recursive: false, sorted: false, nowUs: NOW, keyPrefix: "/1" });
  expect(q.event.node?.key).toBe("/k");
});

test("store events are frozen; presentEvent trims keys, keeps field order and caches the text", () => {
  const s = createStore({ namespaces: ["/1"] });
  s.apply(putRequest("/1/m", { value: "a", expireAtUs: NOW + 5_000_000, nowUs: NOW }));
  const r = s.apply(deleteRequest("/1/m", { nowUs: NOW }));
  expect(Object.isFrozen(r.event)).toBe(true);
  expect(Object.isFrozen(r.event.prevNode)).toBe(true);
  expect(() => {
    (r.event.node as { key?: string }).key = "/m";
  }).toThrow();
  const shown = presentEvent(r.event, "/1");
  expect(shown.text).toBe(
    '{"action":"delete","node":{"key":"/m","modifiedIndex":2,"createdIndex":1},' +
      '"prevNode":{"key":"/m","value":"a","expiration":"2025-11-25T12:00:05Z","ttl":5,"modifiedIndex":1,"createdIndex":1}}',
  );
  expect(JSON.parse(shown.text)).toEqual(shown.event);
  expect(presentEvent(r.event, "/1")).toBe(shown);
  expect(presentEvent(r.event, "/").event.node?.key).toBe("/1/m");
});
