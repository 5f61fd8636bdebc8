// RaftLog's term lookups at the edges of what it holds: compacted, stable, unstable, not yet sent.
import { expect, test } from "bun:test";
import { CompactedError, UnavailableError } from "../../server/raft/errors.ts";
import { RaftLog } from "../../server/raft/raft_log.ts";
import { entry, storageWithLog } from "./harness.ts";

function logWithCompactedPrefix(): RaftLog {
  // Entries 1-5 in terms 1,1,2,2,3; compacted up to 2; entries 6-7 (term 3) still unstable.
  const storage = storageWithLog(["1"], [1, 1, 2, 2, 3]);
  storage.createSnapshot(2, { data: new Uint8Array() });
  storage.compact(2);
  const log = new RaftLog(storage, Infinity);
  log.append([entry(6, 3), entry(7, 3)]);
  return log;
}

test("knownTerm answers inside the log and undefined outside it, without throwing", () => {
  const log = logWithCompactedPrefix();
  expect(log.knownTerm(1)).toBeUndefined(); // compacted
  expect(log.knownTerm(2)).toBe(1); // the snapshot's own index keeps its term
  expect(log.knownTerm(4)).toBe(2); // stable
  expect(log.knownTerm(7)).toBe(3); // unstable
  expect(log.knownTerm(8)).toBeUndefined(); // not yet received
  expect(log.termOrZero(8)).toBe(0);
  expect(log.matchTerm(8, 3)).toBe(false);
  expect(log.matchTerm(5, 3)).toBe(true);
  // term() still tells the two kinds of missing apart, for the leader's snapshot decision.
  expect(() => log.term(1)).toThrow(CompactedError);
  expect(() => log.term(8)).toThrow(UnavailableError);
});

test("a follower's append of new entries and its conflict hint use the same lookups", () => {
  const log = logWithCompactedPrefix();
  expect(log.findConflict([entry(7, 3), entry(8, 3), entry(9, 4)])).toBe(8);
  expect(log.maybeAppend(7, 3, 7, [entry(8, 3), entry(9, 4)])).toBe(9);
  expect(log.lastIndex()).toBe(9);
  // Leader's hint at an index past our log and in a later term: the largest index we hold whose
  // term is <= the given one.
  expect(log.findConflictByTerm(9, 3)).toEqual({ index: 8, term: 3 });
  expect(log.findConflictByTerm(1, 5)).toEqual({ index: 1, term: 0 });
});
