// Raft thesis §6.4 (ReadIndex: linearizable reads without writing to the log), proposal
// forwarding, and leadership transfer (thesis §3.10).
import { describe, expect, test } from "bun:test";
import { ProposalDroppedError } from "../../server/raft/errors.ts";
import { makeMessage } from "../../server/raft/message.ts";
import { MessageType, StateRole } from "../../server/raft/types.ts";
import { Cluster, entry, newRaft } from "./harness.ts";

const ctx = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

describe("§8 ReadIndex", () => {
  test("the leader answers a read only after a majority confirms its leadership, at its commit index", () => {
    const c = new Cluster(["1", "2", "3"]);
    c.campaign("1");
    c.propose("1", "x");
    c.hold = (m) => m.type === MessageType.HeartbeatResp;
    c.stepLocal("1", { type: MessageType.ReadIndex, context: ctx("r1"), from: "" });
    expect(c.get("1").readStates).toEqual([]);
    // One confirmation plus the leader itself is a majority of three.
    c.release((m) => m.from === "2");
    expect(c.get("1").readStates.map((rs) => [rs.index, text(rs.requestCtx)])).toEqual([[2, "r1"]]);
    // Nothing was appended for the read.
    expect(c.get("1").raftLog.lastIndex()).toBe(2);
  });

  test("a read is not answered by a leader cut off from the majority", () => {
    const c = new Cluster(["1", "2", "3"]);
    c.campaign("1");
    c.isolate("1");
    c.stepLocal("1", { type: MessageType.ReadIndex, context: ctx("r"), from: "" });
    c.tick("1", 5);
    expect(c.get("1").readStates).toEqual([]);
  });

  test("a new leader defers reads until it has committed an entry of its own term", () => {
    const c = new Cluster(["1", "2", "3"]);
    c.hold = (m) => m.type === MessageType.AppResp;
    c.campaign("1");
    expect(c.get("1").state).toBe(StateRole.Leader);
    expect(c.get("1").raftLog.committed).toBe(0);
    c.stepLocal("1", { type: MessageType.ReadIndex, context: ctx("early"), from: "" });
    c.tick("1");
    expect(c.get("1").readStates).toEqual([]);
    c.hold = undefined;
    c.release();
    c.tick("1");
    expect(c.get("1").readStates.map((rs) => rs.index)).toEqual([1]);
  });

  test("a follower forwards a read to the leader and gets the read index back", () => {
    const c = new Cluster(["1", "2", "3"]);
    c.campaign("1");
    c.propose("1", "x");
    c.stepLocal("2", { type: MessageType.ReadIndex, context: ctx("via-2"), from: "" });
    const rs = c.get("2").readStates;
    expect(rs.map((r) => [r.index, text(r.requestCtx)])).toEqual([[2, "via-2"]]);
  });

  test("a single-voter leader answers at once", () => {
    const c = new Cluster(["1"]);
    c.campaign("1");
    c.stepLocal("1", { type: MessageType.ReadIndex, context: ctx("solo"), from: "" });
    expect(c.get("1").readStates.map((r) => r.index)).toEqual([1]);
  });
});

describe("proposals", () => {
  test("a follower forwards proposals to the leader", () => {
    const c = new Cluster(["1", "2", "3"]);
    c.campaign("1");
    c.propose("3", "from-3");
    const last = c.get("1").raftLog.slice(2, 3)[0]!;
    expect(text(last.data)).toBe("from-3");
    expect(c.get("1").raftLog.committed).toBe(2);
  });

  test("without a leader a proposal is dropped with an error the caller sees", () => {
    const r = newRaft("1", ["1", "2", "3"]);
    expect(() => r.step(makeMessage({ type: MessageType.Prop, from: "1", entries: [entry(0, 0, "x")] }))).toThrow(ProposalDroppedError);
  });

  test("a leader bounds its uncommitted backlog", () => {
    const c = new Cluster(["1", "2", "3"], { maxUncommittedEntriesBytes: 10 });
    c.campaign("1");
    c.isolate("1");
    c.propose("1", "12345678");
    expect(() => c.propose("1", "12345678")).toThrow(ProposalDroppedError);
  });
});

describe("leadership transfer", () => {
  test("the leader catches the transferee up, then sends TimeoutNow and it wins at once", () => {
    const c = new Cluster(["1", "2", "3"], { checkQuorum: true, preVote: true });
    c.campaign("1");
    c.isolate("3");
    c.propose("1", "x");
    c.heal();
    c.stepLocal("1", { type: MessageType.TransferLeader, from: "3" });
    expect(c.get("3").state).toBe(StateRole.Leader);
    expect(c.get("1").state).toBe(StateRole.Follower);
    expect(c.get("3").term).toBe(2);
    expect(c.delivered.some((m) => m.type === MessageType.TimeoutNow && m.to === "3")).toBe(true);
  });

  test("proposals are refused while a transfer is under way, and it is abandoned after an election timeout", () => {
    const c = new Cluster(["1", "2", "3"]);
    c.campaign("1");
    c.isolate("3");
    c.stepLocal("1", { type: MessageType.TransferLeader, from: "3" });
    expect(c.get("1").leadTransferee).toBe("3");
    expect(() => c.propose("1", "x")).toThrow(ProposalDroppedError);
    c.tick("1", 10);
    expect(c.get("1").leadTransferee).toBe("");
    c.propose("1", "x");
  });

  test("a transfer request on a follower is forwarded to the leader", () => {
    const c = new Cluster(["1", "2", "3"]);
    c.campaign("1");
    c.stepLocal("2", { type: MessageType.TransferLeader, from: "2" });
    expect(c.get("2").state).toBe(StateRole.Leader);
  });
});
