// Raft paper §5.3 (log replication), §5.4.2 (committing entries from previous terms) and the
// leader's per-follower flow control.
import { describe, expect, test } from "bun:test";
import { makeMessage } from "../../server/raft/message.ts";
import { ProgressState } from "../../server/raft/progress.ts";
import { type Message, MessageType, StateRole } from "../../server/raft/types.ts";
import { Cluster, entry, newRaft } from "./harness.ts";

const isApp = (m: Message) => m.type === MessageType.App;

describe("§5.3 log replication", () => {
  test("an entry is committed once a majority stores it, and followers learn the commit index", () => {
    const c = new Cluster(["1", "2", "3"]);
    c.campaign("1");
    c.isolate("3");
    c.propose("1", "x");
    expect(c.get("1").raftLog.committed).toBe(2);
    // The follower learns of the commit from the next message it receives.
    c.tick("1");
    expect(c.get("2").raftLog.committed).toBe(2);
    expect(c.get("3").raftLog.committed).toBe(1);
  });

  test("without a majority nothing commits", () => {
    const c = new Cluster(["1", "2", "3"]);
    c.campaign("1");
    c.isolate("2");
    c.isolate("3");
    c.propose("1", "x");
    expect(c.get("1").raftLog.lastIndex()).toBe(2);
    expect(c.get("1").raftLog.committed).toBe(1);
  });

  test("a follower refuses an append whose previous entry it does not hold", () => {
    const r = newRaft("2", ["1", "2", "3"]);
    r.step(makeMessage({ type: MessageType.App, from: "1", to: "2", term: 1, index: 5, logTerm: 1, entries: [entry(6, 1)] }));
    const resp = r.msgs.at(-1)!;
    expect(resp.type).toBe(MessageType.AppResp);
    expect(resp.reject).toBe(true);
    expect(resp.rejectHint).toBe(0);
  });

  test("a follower deletes a conflicting suffix and takes the leader's entries", () => {
    const c = new Cluster(["1", "2", "3"], { logs: { "1": [1, 1, 3], "2": [1, 2, 2, 2], "3": [1, 1] }, terms: { "1": 3, "2": 2, "3": 1 } });
    c.campaign("1");
    expect(c.get("1").state).toBe(StateRole.Leader);
    expect(c.terms("2")).toEqual(c.terms("1"));
    expect(c.terms("2")).toEqual([1, 1, 3, 4]);
  });

  test("conflict hints catch up a follower with a long divergent log in one rejection", () => {
    const leaderLog = [1, ...Array(50).fill(3)];
    const followerLog = [1, ...Array(50).fill(2)];
    const c = new Cluster(["1", "2", "3"], { logs: { "1": leaderLog, "2": followerLog, "3": [1] }, terms: { "1": 3, "2": 2, "3": 1 } });
    c.campaign("1");
    const rejections = c.delivered.filter((m) => m.type === MessageType.AppResp && m.from === "2" && m.reject);
    expect(rejections.length).toBe(1);
    expect(c.terms("2")).toEqual(c.terms("1"));
  });

  test("heartbeats carry the commit index, capped at what the follower holds", () => {
    const c = new Cluster(["1", "2", "3"]);
    c.campaign("1");
    c.hold = (m) => m.to === "3" && isApp(m);
    c.propose("1", "x");
    c.tick("1");
    const beat = c.delivered.filter((m) => m.type === MessageType.Heartbeat && m.to === "3").at(-1)!;
    expect(beat.commit).toBe(1);
    const beat2 = c.delivered.filter((m) => m.type === MessageType.Heartbeat && m.to === "2").at(-1)!;
    expect(beat2.commit).toBe(2);
  });
});

describe("§5.4.2 committing entries from previous terms (Figure 8)", () => {
  test("a leader never commits an old-term entry by counting replicas", () => {
    // S1 holds (2, term 2) alone; S5 holds a different (2, term 3). S1 wins term 4.
    const c = new Cluster(["1", "2", "3", "4", "5"], {
      logs: { "1": [1, 2], "2": [1], "3": [1], "4": [1], "5": [1, 3] },
      terms: { "1": 3, "2": 3, "3": 3, "4": 3, "5": 3 },
      maxSizePerMsgBytes: 1, // one entry per append: the old entry is acknowledged on its own
    });
    // Hold back every append that would land the new leader's term-4 entry.
    c.hold = (m) => isApp(m) && m.entries.some((e) => e.term === 4) && c.get(m.to).raftLog.lastIndex() >= m.index;
    c.isolate("5");
    c.campaign("1");
    const s1 = c.get("1");
    expect(s1.state).toBe(StateRole.Leader);
    expect(s1.term).toBe(4);
    // (2, term 2) is now on S1..S4, a majority, but its term is not the leader's.
    for (const id of ["2", "3", "4"]) expect(c.terms(id)).toEqual([1, 2]);
    expect(s1.raftLog.committed).toBe(1);

    // Why: if S1 fails now, S5 can still win and overwrite index 2 on every node.
    c.isolate("1");
    c.heal();
    c.isolate("1");
    c.hold = undefined;
    c.held = [];
    c.campaign("5");
    c.campaign("5");
    expect(c.get("5").state).toBe(StateRole.Leader);
    for (const id of ["2", "3", "4"]) expect(c.terms(id)[1]).toBe(3);
  });

  test("once an entry of its own term is on a majority, earlier entries commit with it", () => {
    const c = new Cluster(["1", "2", "3", "4", "5"], {
      logs: { "1": [1, 2], "2": [1], "3": [1], "4": [1], "5": [1, 3] },
      terms: { "1": 3, "2": 3, "3": 3, "4": 3, "5": 3 },
      maxSizePerMsgBytes: 1,
    });
    c.isolate("5");
    c.campaign("1");
    expect(c.get("1").raftLog.committed).toBe(3);
  });
});

describe("flow control", () => {
  test("in replicate state at most maxInflightMsgs appends are outstanding", () => {
    const c = new Cluster(["1", "2"], { maxInflightMsgs: 3, maxSizePerMsgBytes: 1 });
    c.campaign("1");
    c.hold = (m) => isApp(m) && m.to === "2";
    for (let i = 0; i < 10; i++) c.propose("1", `p${i}`);
    expect(c.held.length).toBe(3);
    expect(c.get("1").prs.get("2")!.state).toBe(ProgressState.Replicate);
    c.release();
    c.hold = undefined;
    c.flush();
    c.tick("1");
    expect(c.get("2").raftLog.lastIndex()).toBe(11);
  });

  test("an append never exceeds the byte limit, but always carries at least one entry", () => {
    const c = new Cluster(["1", "2"], { maxSizePerMsgBytes: 100 });
    c.campaign("1");
    c.hold = (m) => isApp(m) && m.to === "2";
    c.stepLocal("1", { type: MessageType.Prop, entries: [entry(0, 0, "a".repeat(500)), entry(0, 0, "b"), entry(0, 0, "c")] });
    const first = c.held[0]!;
    expect(first.entries.length).toBe(1);
    c.release();
    const all = c.delivered.filter((m) => isApp(m) && m.to === "2" && m.entries.length > 0);
    for (const m of all.slice(1)) expect(m.entries.reduce((n, e) => n + e.data.length + 16, 0)).toBeLessThanOrEqual(100);
  });

  test("in probe state the leader sends one append and waits", () => {
    const c = new Cluster(["1", "2", "3"]);
    c.campaign("1");
    c.isolate("3");
    c.get("1").prs.get("3")!.becomeProbe();
    c.propose("1", "a");
    c.propose("1", "b");
    const pr = c.get("1").prs.get("3")!;
    expect(pr.state).toBe(ProgressState.Probe);
    expect(pr.probeSent).toBe(true);
    const sentTo3 = c.get("1").msgs.length;
    expect(sentTo3).toBe(0);
    c.heal();
    c.tick("1"); // heartbeat → response → probe resumes → catches up
    expect(c.get("3").raftLog.lastIndex()).toBe(3);
    expect(pr.state).toBe(ProgressState.Replicate);
  });
});
