import { describe, expect, test } from "bun:test";
import { checkWatchers, Watcher, type WatchMark } from "./watchers.ts";

function watcher(id: number, startIndex: number, marks: WatchMark[]): Watcher {
  const w = new Watcher(id, { prefix: "p", startIndex, random: () => 0, endpoints: () => [], idleMs: 1000 });
  w.marks.push(...marks);
  return w;
}
const ev = (index: number, value = `v${index}`): WatchMark => ({ kind: "event", event: { index, key: "/p/k", action: "set", value } });

describe("watch checks", () => {
  test("agreeing watchers with resumes are fine; a 401 excuses the span it cleared", () => {
    const a = watcher(1, 5, [ev(5), ev(7), ev(9)]);
    const b = watcher(2, 5, [ev(5), { kind: "cleared", fromIndex: 6, toIndex: 9 }, ev(9)]);
    expect(checkWatchers([a, b])).toMatchObject({ ok: true, events: 5, cleared: 1 });
  });
  test("a gap, a duplicate and a disagreement are each reported", () => {
    expect(checkWatchers([watcher(1, 5, [ev(5), ev(7), ev(9)]), watcher(2, 5, [ev(5), ev(9)])]).problems.join()).toContain("missed index 7");
    expect(checkWatchers([watcher(1, 5, [ev(5), ev(7), ev(7)])]).problems.join()).toContain("duplicate");
    expect(checkWatchers([watcher(1, 5, [ev(5)]), watcher(2, 5, [ev(5, "other")])]).problems.join()).toContain("index 5");
    // Missing the first event counts too.
    expect(checkWatchers([watcher(1, 5, [ev(5), ev(7)]), watcher(2, 5, [ev(7)])]).ok).toBe(false);
  });
});
