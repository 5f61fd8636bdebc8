import { expect, test } from "bun:test";
import type { RaftEvent } from "../../shared/feed.ts";
import type { EventJSON } from "../store/types.ts";
import { ProgressState } from "../raft/progress.ts";
import { MemberObservers, peerProgress } from "./observers.ts";

test("a listener that throws is logged and the others still hear the event", () => {
  const logged: string[] = [];
  const o = new MemberObservers((l) => logged.push(l));
  const heard: RaftEvent[] = [];
  const stores: EventJSON[] = [];
  o.onRaftEvent(() => {
    throw new Error("boom");
  });
  const off = o.onRaftEvent((e) => heard.push(e));
  o.onStoreEvent(() => {
    throw new Error("bang");
  });
  o.onStoreEvent((e) => stores.push(e));
  let statusReads = 0;
  const status = () => (statusReads++, { term: 3, lead: "abc" });
  o.raftEvent({ kind: "snapshot", detail: "snapshot at 7", index: 7 }, status);
  expect(heard).toEqual([{ kind: "snapshot", atMs: heard[0]!.atMs, term: 3, index: 7, leaderId: "abc", memberId: undefined, detail: "snapshot at 7" }]);
  o.storeEvent({ action: "set", node: { key: "/1/a", value: "v" } });
  expect(stores).toHaveLength(1);
  expect(logged).toEqual(["etcbun: raft event listener failed: boom", "etcbun: store event listener failed: bang"]);
  off();
  o.raftEvent({ kind: "election", detail: "an election started" }, () => ({ term: 4, lead: "" }));
  expect(heard).toHaveLength(1);
  // No one listening: the status is not even read.
  const quiet = new MemberObservers(() => {});
  quiet.raftEvent({ kind: "election", detail: "x" }, status);
  expect(statusReads).toBe(1);
});

test("commit latency: null with nothing applied, then p50 and p99 of the last second", () => {
  const o = new MemberObservers(() => {});
  expect(o.commitLatencyMs()).toBeNull();
  for (let i = 1; i <= 100; i++) o.commitApplied(i);
  expect(o.commitLatencyMs()).toEqual({ p50: 51, p99: 100 });
  // Bounded: older entries go once the window holds more than it needs.
  for (let i = 0; i < 5000; i++) o.commitApplied(1);
  expect(o.commitLatencyMs()!.p99).toBe(1);
});

test("peer progress names each follower's state and its stream's health", () => {
  const p = (match: number, state: ProgressState, recentActive = true) => ({ match, next: match + 1, state, recentActive, isLearner: false, pendingSnapshot: 0, inflight: 0 });
  const rows = peerProgress(
    { a: p(9, ProgressState.Replicate), b: p(5, ProgressState.Probe, false), c: p(0, ProgressState.Snapshot) },
    { selfId: "a", streams: [{ id: "b", connected: false, rttMs: 1.5 } as never] },
  );
  expect(rows.map((r) => [r.id, r.state, r.health, r.rttMs, r.matchIndex, r.nextIndex, r.recentActive])).toEqual([
    ["a", "replicate", "healthy", null, 9, 10, true],
    ["b", "probe", "unreachable", 1.5, 5, 6, false],
    ["c", "snapshot", "unknown", null, 0, 1, true],
  ]);
});
