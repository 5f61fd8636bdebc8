// Raft paper §6 (cluster membership changes), one server at a time (thesis §4.1), taking
// effect when the application applies the ConfChange entry.
import { describe, expect, test } from "bun:test";
import { applyConfChange } from "../../server/raft/conf_change.ts";
import { decodeConfChange, encodeConfChange } from "../../server/raft/conf_change_codec.ts";
import { MemoryStorage } from "../../server/raft/memory_storage.ts";
import { type ConfChange, ConfChangeType, EntryType, MessageType, StateRole } from "../../server/raft/types.ts";
import { Cluster, newRaft } from "./harness.ts";

function proposeConf(c: Cluster, id: string, cc: ConfChange): void {
  c.stepLocal(id, { type: MessageType.Prop, entries: [{ term: 0, index: 0, type: EntryType.ConfChange, data: encodeConfChange(cc) }] });
}

/** Applies every committed entry on `id` as the application would (conf changes included). */
function applyCommitted(c: Cluster, id: string): void {
  const r = c.get(id);
  const log = r.raftLog;
  for (const e of log.slice(log.applied + 1, log.committed + 1)) {
    if (e.type === EntryType.ConfChange) applyConfChange(r, decodeConfChange(e.data));
  }
  log.appliedTo(log.committed);
}

const none = new Uint8Array(0);

describe("§6 membership changes", () => {
  test("the codec round-trips a conf change", () => {
    const cc = { type: ConfChangeType.AddNode, nodeId: "8e9e05c52164694d", context: new Uint8Array([1, 2, 3]) };
    expect(decodeConfChange(encodeConfChange(cc))).toEqual(cc);
  });

  test("an added node gets replicated to and counts toward the quorum once applied", () => {
    const c = new Cluster(["1", "2"]);
    c.campaign("1");
    proposeConf(c, "1", { type: ConfChangeType.AddNode, nodeId: "3", context: none });
    expect(c.get("1").raftLog.committed).toBe(2);
    applyCommitted(c, "1");
    expect([...c.get("1").voters].sort()).toEqual(["1", "2", "3"]);
    // Node 3 starts empty with no configuration of its own and learns everything from the leader.
    c.nodes.set("3", newRaft("3", [], { storage: new MemoryStorage() }));
    c.propose("1", "x");
    expect(c.get("3").raftLog.lastIndex()).toBe(3);
    // With 3 voters, 1 + 3 are a majority even without 2.
    c.isolate("2");
    c.propose("1", "y");
    expect(c.get("1").raftLog.committed).toBe(4);
  });

  test("a removed follower no longer counts: the remaining voters commit alone", () => {
    const c = new Cluster(["1", "2", "3"]);
    c.campaign("1");
    proposeConf(c, "1", { type: ConfChangeType.RemoveNode, nodeId: "3", context: none });
    applyCommitted(c, "1");
    c.isolate("3");
    c.propose("1", "x");
    expect(c.get("1").raftLog.committed).toBe(3);
    expect(c.get("1").prs.has("3")).toBe(false);
  });

  test("removing a lagging voter can itself advance the commit index", () => {
    const c = new Cluster(["1", "2", "3", "4"]);
    c.campaign("1");
    proposeConf(c, "1", { type: ConfChangeType.RemoveNode, nodeId: "4", context: none });
    expect(c.get("1").raftLog.committed).toBe(2); // committed, not applied yet
    c.isolate("3");
    c.isolate("4");
    c.propose("1", "x"); // 1 and 2 of {1,2,3,4}: no majority
    expect(c.get("1").raftLog.committed).toBe(2);
    // The same two are a majority of {1,2,3} once the removal applies.
    applyConfChange(c.get("1"), { type: ConfChangeType.RemoveNode, nodeId: "4", context: none });
    expect(c.get("1").raftLog.committed).toBe(3);
  });

  test("a removed leader steps down cleanly after telling the others the commit index", () => {
    const c = new Cluster(["1", "2", "3"]);
    c.campaign("1");
    proposeConf(c, "1", { type: ConfChangeType.RemoveNode, nodeId: "1", context: none });
    applyCommitted(c, "1");
    expect(c.get("1").state).toBe(StateRole.Follower);
    expect(c.get("2").raftLog.committed).toBe(2);
    // It may not campaign any more; the others elect a leader among themselves.
    c.tick("1", 50);
    expect(c.get("1").state).toBe(StateRole.Follower);
    applyCommitted(c, "2");
    applyCommitted(c, "3");
    c.campaign("2");
    expect(c.get("2").state).toBe(StateRole.Leader);
    expect([...c.get("2").voters].sort()).toEqual(["2", "3"]);
  });

  test("only one membership change may be pending: a second becomes an empty entry", () => {
    const c = new Cluster(["1", "2", "3"]);
    c.campaign("1");
    c.isolate("2");
    c.isolate("3");
    proposeConf(c, "1", { type: ConfChangeType.AddNode, nodeId: "4", context: none });
    proposeConf(c, "1", { type: ConfChangeType.AddNode, nodeId: "5", context: none });
    const log = c.get("1").raftLog;
    const ents = log.slice(2, log.lastIndex() + 1);
    expect(ents.map((e) => e.type)).toEqual([EntryType.ConfChange, EntryType.Normal]);
  });

  test("a learner receives the log but neither votes nor counts toward commit", () => {
    const c = new Cluster(["1", "2"]);
    c.campaign("1");
    proposeConf(c, "1", { type: ConfChangeType.AddLearnerNode, nodeId: "3", context: none });
    applyCommitted(c, "1");
    const learner = newRaft("3", [], { storage: new MemoryStorage() });
    c.nodes.set("3", learner);
    c.propose("1", "x");
    expect(learner.raftLog.lastIndex()).toBe(3);
    c.isolate("2");
    c.propose("1", "y"); // 1 + learner 3 are not a majority of the voters {1, 2}
    expect(c.get("1").raftLog.committed).toBe(3);
    applyCommitted(c, "3");
    expect(learner.isLearner).toBe(true);
    for (let i = 0; i < 50; i++) learner.tick();
    expect(learner.state).toBe(StateRole.Follower);
  });

  test("a node does not campaign while a committed conf change is unapplied", () => {
    const r = newRaft("1", ["1", "2", "3"]);
    r.raftLog.append([{ term: 1, index: 1, type: EntryType.ConfChange, data: encodeConfChange({ type: ConfChangeType.RemoveNode, nodeId: "1", context: none }) }]);
    r.raftLog.commitTo(1);
    for (let i = 0; i < 30; i++) r.tick();
    expect(r.state).toBe(StateRole.Follower);
    expect(r.msgs.length).toBe(0);
  });
});
