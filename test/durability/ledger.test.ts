// The crash suite is only as good as its judge: the ledger must flag every kind of loss it is
// meant to catch, and accept exactly the outcomes an in-flight write allows.
import { expect, test } from "bun:test";
import { Ledger, type StoredNode } from "./ledger.ts";

const stored = (entries: [string, string, number][]) => new Map<string, StoredNode>(entries.map(([k, value, modifiedIndex]) => [k, { value, modifiedIndex }]));

function ledgerWithAcks(): Ledger {
  const l = new Ledger();
  l.acked("/d/a", "a1", { modifiedIndex: 5, etcdIndex: 5 });
  l.acked("/d/b", "b1", { modifiedIndex: 6, etcdIndex: 6 });
  l.acked("/d/b", null, { modifiedIndex: 0, etcdIndex: 7 });
  return l;
}

test("the acknowledged state passes, and a second check against it passes too", () => {
  const l = ledgerWithAcks();
  expect(l.check(stored([["/d/a", "a1", 5]]), 7)).toEqual([]);
  expect(l.check(stored([["/d/a", "a1", 5]]), 7)).toEqual([]);
});

test("a lost write, a resurrected delete, a moved index, an unknown key and a lower index are all flagged", () => {
  expect(ledgerWithAcks().check(stored([]), 7)).toEqual(['/d/a: acknowledged "a1" (in doubt: []) but found null']);
  expect(ledgerWithAcks().check(stored([["/d/a", "a1", 5], ["/d/b", "b1", 6]]), 7)).toEqual(['/d/b: acknowledged null (in doubt: []) but found "b1"']);
  expect(ledgerWithAcks().check(stored([["/d/a", "a1", 9]]), 9)).toEqual(["/d/a: value a1 acknowledged at index 5 but stored at 9"]);
  expect(ledgerWithAcks().check(stored([["/d/a", "a1", 5], ["/d/x", "?", 8]]), 8)).toEqual(["/d/x: exists but was never written"]);
  expect(ledgerWithAcks().check(stored([["/d/a", "a1", 5]]), 6)).toEqual(["X-Etcd-Index went backwards: 6 < 7"]);
});

test("an in-flight write may or may not have landed, and what the member shows is adopted", () => {
  for (const outcome of [[["/d/a", "a1", 5]], [["/d/a", "a2", 8]]] as [string, string, number][][]) {
    const l = ledgerWithAcks();
    l.attempted("/d/a", "a2");
    expect(l.check(stored(outcome), 8)).toEqual([]);
    expect(l.known("/d/a")).toBe(outcome[0]![1]);
  }
  const l = ledgerWithAcks();
  l.attempted("/d/a", "a2");
  expect(l.check(stored([["/d/a", "a3", 8]]), 8)).toHaveLength(1);
});
