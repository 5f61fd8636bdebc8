// Raft paper §7 (log compaction): a follower that needs compacted entries gets a snapshot.
import { describe, expect, test } from "bun:test";
import { CompactedError, SnapOutOfDateError, UnavailableError } from "../../server/raft/errors.ts";
import { MemoryStorage } from "../../server/raft/memory_storage.ts";
import { ProgressState } from "../../server/raft/progress.ts";
import { MessageType } from "../../server/raft/types.ts";
import { Cluster, entry } from "./harness.ts";

describe("§7 log compaction and snapshots", () => {
  test("a follower behind the leader's compacted log is sent a snapshot and restores from it", () => {
    const c = new Cluster(["1", "2", "3"]);
    c.campaign("1");
    c.isolate("3");
    for (let i = 0; i < 10; i++) c.propose("1", `v${i}`);
    // The leader's application persists, snapshots at 8 and compacts its log.
    const leader = c.get("1");
    const storage = leader.raftLog.storage as MemoryStorage;
    storage.append(leader.raftLog.unstableEntries());
    leader.raftLog.stableTo(11, 1);
    leader.raftLog.appliedTo(8);
    storage.createSnapshot(8, { confState: { voters: ["1", "2", "3"], learners: [] }, data: new TextEncoder().encode("state@8") });
    storage.compact(8);
    c.heal();
    leader.prs.get("3")!.recentActive = true;
    c.tick("1");
    const snap = c.delivered.find((m) => m.type === MessageType.Snap && m.to === "3");
    expect(snap?.snapshot?.metadata.index).toBe(8);
    const follower = c.get("3");
    expect(follower.raftLog.committed).toBeGreaterThanOrEqual(8);
    expect(follower.raftLog.unstable.snapshot?.metadata.index).toBe(8);
    // After its ack the leader replicates the rest normally.
    expect(leader.prs.get("3")!.state).toBe(ProgressState.Replicate);
    expect(follower.raftLog.lastIndex()).toBe(11);
  });

  test("a snapshot the follower already covers only fast-forwards its commit", () => {
    const c = new Cluster(["1", "2"], { logs: { "2": [1, 1, 1] } });
    const r = c.get("2");
    r.step({
      type: MessageType.Snap, from: "1", to: "2", term: 1, logTerm: 0, index: 0, entries: [], commit: 0, reject: false, rejectHint: 0,
      snapshot: { metadata: { index: 2, term: 1, confState: { voters: ["1", "2"], learners: [] } }, data: new Uint8Array() },
    });
    expect(r.raftLog.committed).toBe(2);
    expect(r.raftLog.lastIndex()).toBe(3);
    expect(r.raftLog.unstable.snapshot).toBeUndefined();
  });

  test("a failed snapshot send returns the follower to probing", () => {
    const c = new Cluster(["1", "2"]);
    c.campaign("1");
    const pr = c.get("1").prs.get("2")!;
    pr.becomeSnapshot(5);
    c.stepLocal("1", { type: MessageType.SnapStatus, from: "2", reject: true });
    expect(pr.state).toBe(ProgressState.Probe);
    expect(pr.probeSent).toBe(true);
  });
});

describe("MemoryStorage", () => {
  function filled(): MemoryStorage {
    const s = new MemoryStorage({ confState: { voters: ["1"], learners: [] } });
    s.append([entry(1, 1, "a"), entry(2, 1, "b"), entry(3, 2, "c"), entry(4, 2, "d")]);
    return s;
  }

  test("entries, term, first and last index with named errors outside the range", () => {
    const s = filled();
    expect(s.firstIndex()).toBe(1);
    expect(s.lastIndex()).toBe(4);
    expect(s.term(3)).toBe(2);
    expect(s.entries(2, 4).map((e) => e.index)).toEqual([2, 3]);
    expect(() => s.entries(2, 6)).toThrow(UnavailableError);
    expect(() => s.term(5)).toThrow(UnavailableError);
    s.compact(2);
    expect(s.firstIndex()).toBe(3);
    expect(s.term(2)).toBe(1);
    expect(() => s.entries(2, 4)).toThrow(CompactedError);
    expect(() => s.term(1)).toThrow(CompactedError);
  });

  test("maxBytes limits the entries returned but never below one", () => {
    const s = filled();
    expect(s.entries(1, 5, { maxBytes: 1 }).length).toBe(1);
    expect(s.entries(1, 5, { maxBytes: 34 }).length).toBe(2);
  });

  test("append truncates a conflicting suffix", () => {
    const s = filled();
    s.append([entry(3, 3, "x")]);
    expect(s.lastIndex()).toBe(3);
    expect(s.term(3)).toBe(3);
  });

  test("createSnapshot, applySnapshot, and refusing an older snapshot", () => {
    const s = filled();
    const snap = s.createSnapshot(3, { data: new Uint8Array([9]) });
    expect(snap.metadata).toEqual({ index: 3, term: 2, confState: { voters: ["1"], learners: [] } });
    expect(() => s.createSnapshot(2, { data: new Uint8Array() })).toThrow(SnapOutOfDateError);
    const other = new MemoryStorage();
    other.applySnapshot(snap);
    expect(other.firstIndex()).toBe(4);
    expect(other.lastIndex()).toBe(3);
    expect(other.initialState().confState.voters).toEqual(["1"]);
    expect(() => other.applySnapshot(snap)).toThrow(SnapOutOfDateError);
  });

  test("a snapshot's bytes can be dropped once on disk; its metadata stays, and only that snapshot's", () => {
    const s = filled();
    const snap = s.createSnapshot(3, { data: new Uint8Array([9, 9]) });
    s.releaseSnapshotData(2);
    expect(s.snapshot().data.length).toBe(2);
    s.releaseSnapshotData(3);
    expect(s.snapshot().metadata).toEqual(snap.metadata);
    expect(s.snapshot().data.length).toBe(0);
    expect(snap.data.length).toBe(2);
    expect(s.firstIndex()).toBe(1);
  });
});
