// Raft paper §5.1–5.2 (terms, leader election), §5.4.1 (election restriction), and the
// thesis's pre-vote and check-quorum (§9.6).
import { describe, expect, test } from "bun:test";
import { makeMessage } from "../../server/raft/message.ts";
import { type Message, MessageType, NONE, StateRole } from "../../server/raft/types.ts";
import { Cluster, newRaft } from "./harness.ts";

describe("§5.2 leader election", () => {
  test("a follower that hears nothing for an election timeout becomes candidate and asks everyone for a vote", () => {
    const r = newRaft("1", ["1", "2", "3"]);
    for (let i = 0; i < 2 * 10; i++) r.tick();
    expect(r.state).toBe(StateRole.Candidate);
    expect(r.term).toBe(1);
    expect(r.vote).toBe("1");
    const votes = r.msgs.filter((m) => m.type === MessageType.Vote);
    expect(votes.map((m) => m.to).sort()).toEqual(["2", "3"]);
    expect(votes.every((m) => m.term === 1 && m.index === 0 && m.logTerm === 0)).toBe(true);
  });

  test("election timeouts are randomized in [timeout, 2*timeout) and differ between nodes", () => {
    const seen = new Set<number>();
    for (let seed = 1; seed <= 50; seed++) {
      const r = newRaft("1", ["1", "2", "3"], { seed });
      let ticks = 0;
      while (r.state === StateRole.Follower) {
        r.tick();
        ticks++;
      }
      expect(ticks).toBeGreaterThanOrEqual(10);
      expect(ticks).toBeLessThan(20);
      seen.add(ticks);
    }
    expect(seen.size).toBeGreaterThan(3);
  });

  test("a candidate with a majority of votes becomes leader and appends an entry of its term", () => {
    const c = new Cluster(["1", "2", "3"]);
    c.campaign("1");
    expect(c.get("1").state).toBe(StateRole.Leader);
    expect(c.get("1").raftLog.lastTerm()).toBe(1);
    expect(c.get("2").lead).toBe("1");
    // The no-op committed once replicated.
    expect(c.get("1").raftLog.committed).toBe(1);
  });

  test("a candidate without a majority stays candidate, then starts a new term", () => {
    const c = new Cluster(["1", "2", "3", "4", "5"]);
    c.isolate("1");
    c.campaign("1");
    expect(c.get("1").state).toBe(StateRole.Candidate);
    expect(c.get("1").term).toBe(1);
    c.tick("1", 20);
    expect(c.get("1").state).toBe(StateRole.Candidate);
    expect(c.get("1").term).toBeGreaterThanOrEqual(2);
  });

  test("rejections from a majority turn a candidate back into a follower", () => {
    const c = new Cluster(["1", "2", "3"], { logs: { "2": [1, 1], "3": [1, 1] } });
    c.campaign("1");
    expect(c.get("1").state).toBe(StateRole.Follower);
    expect(c.get("1").term).toBe(1);
  });

  test("a candidate that hears an append from a leader of its term becomes follower", () => {
    const r = newRaft("1", ["1", "2", "3"]);
    r.becomeCandidate();
    r.step(makeMessage({ type: MessageType.App, from: "2", to: "1", term: 1, index: 0, logTerm: 0 }));
    expect(r.state).toBe(StateRole.Follower);
    expect(r.lead).toBe("2");
  });

  test("each node votes at most once per term, first come first served", () => {
    const r = newRaft("1", ["1", "2", "3"]);
    const vote = (from: string): Message => makeMessage({ type: MessageType.Vote, from, to: "1", term: 1 });
    r.step(vote("2"));
    r.step(vote("3"));
    r.step(vote("2")); // a retransmission from the one we voted for is granted again
    const answers = r.msgs.map((m) => [m.to, m.reject]);
    expect(answers).toEqual([
      ["2", false],
      ["3", true],
      ["2", false],
    ]);
    expect(r.vote).toBe("2");
  });

  test("a higher term in any message makes leader or candidate step down", () => {
    const c = new Cluster(["1", "2", "3"]);
    c.campaign("1");
    const r = c.get("1");
    r.step(makeMessage({ type: MessageType.AppResp, from: "2", to: "1", term: 5 }));
    expect(r.state).toBe(StateRole.Follower);
    expect(r.term).toBe(5);
    expect(r.vote).toBe(NONE);
  });

  test("messages of an older term are ignored", () => {
    const r = newRaft("1", ["1", "2", "3"]);
    r.becomeFollower(3, NONE);
    r.step(makeMessage({ type: MessageType.App, from: "2", to: "1", term: 2, entries: [] }));
    expect(r.lead).toBe(NONE);
    expect(r.raftLog.lastIndex()).toBe(0);
  });

  test("election safety: in a 2|3 partition only the majority side elects a leader", () => {
    const c = new Cluster(["1", "2", "3", "4", "5"]);
    for (const a of ["1", "2"]) for (const b of ["3", "4", "5"]) (c.cutLink(a, b), c.cutLink(b, a));
    c.campaign("1");
    c.campaign("3");
    const leaders = [...c.nodes.values()].filter((r) => r.state === StateRole.Leader).map((r) => r.id);
    expect(leaders).toEqual(["3"]);
  });
});

describe("§5.4.1 election restriction", () => {
  test("a vote is refused to a candidate whose last term is older", () => {
    const r = newRaft("1", ["1", "2", "3"], { storage: undefined });
    r.raftLog.append([{ index: 1, term: 2, type: 0, data: new Uint8Array() }]);
    r.step(makeMessage({ type: MessageType.Vote, from: "2", to: "1", term: 3, index: 5, logTerm: 1 }));
    expect(r.msgs.at(-1)!.reject).toBe(true);
  });

  test("a vote is refused to a candidate with the same last term but a shorter log", () => {
    const r = newRaft("1", ["1", "2", "3"]);
    r.raftLog.append([1, 1, 1].map((t, i) => ({ index: i + 1, term: t, type: 0, data: new Uint8Array() })));
    r.step(makeMessage({ type: MessageType.Vote, from: "2", to: "1", term: 2, index: 2, logTerm: 1 }));
    expect(r.msgs.at(-1)!.reject).toBe(true);
    r.step(makeMessage({ type: MessageType.Vote, from: "3", to: "1", term: 2, index: 3, logTerm: 1 }));
    expect(r.msgs.at(-1)!.reject).toBe(false);
  });

  test("only a node with every committed entry can win", () => {
    // 1 holds entries of term 2 that 2 and 3 have; 4 and 5 are behind.
    const c = new Cluster(["1", "2", "3", "4", "5"], { logs: { "1": [1, 2], "2": [1, 2], "3": [1, 2], "4": [1], "5": [1] } });
    c.campaign("4");
    expect(c.get("4").state).not.toBe(StateRole.Leader);
    c.campaign("2");
    expect(c.get("2").state).toBe(StateRole.Leader);
  });
});

describe("pre-vote and check-quorum", () => {
  test("a partitioned node rejoining does not raise the term or depose a healthy leader", () => {
    const c = new Cluster(["1", "2", "3"], { preVote: true, checkQuorum: true });
    c.campaign("1");
    expect(c.get("1").state).toBe(StateRole.Leader);
    c.isolate("3");
    c.tick("3", 100); // campaigns again and again, but only as a pre-candidate
    expect(c.get("3").term).toBe(1);
    expect(c.get("3").state).toBe(StateRole.PreCandidate);
    c.heal();
    c.tick("3", 20);
    c.tick("1", 1);
    expect(c.get("1").state).toBe(StateRole.Leader);
    expect(c.get("1").term).toBe(1);
  });

  test("without pre-vote the same rejoin would bump the term", () => {
    const c = new Cluster(["1", "2", "3"], { preVote: false, checkQuorum: false });
    c.campaign("1");
    c.isolate("3");
    c.tick("3", 100);
    expect(c.get("3").term).toBeGreaterThan(1);
  });

  test("a pre-vote is granted for a future term without changing the voter's term or vote", () => {
    const r = newRaft("1", ["1", "2", "3"]);
    r.step(makeMessage({ type: MessageType.PreVote, from: "2", to: "1", term: 1, index: 0, logTerm: 0 }));
    const answer = r.msgs.at(-1)!;
    expect(answer.type).toBe(MessageType.PreVoteResp);
    expect(answer.reject).toBe(false);
    expect(answer.term).toBe(1);
    expect(r.term).toBe(0);
    expect(r.vote).toBe(NONE);
  });

  test("a leader that cannot hear a majority steps down within an election timeout", () => {
    const c = new Cluster(["1", "2", "3"], { checkQuorum: true });
    c.campaign("1");
    c.isolate("1");
    c.tick("1", 10 + 1);
    expect(c.get("1").state).toBe(StateRole.Leader); // first check: followers were active
    c.tick("1", 10);
    expect(c.get("1").state).toBe(StateRole.Follower);
  });

  test("with check-quorum, a node that heard from its leader recently ignores a disruptive vote request", () => {
    const c = new Cluster(["1", "2", "3"], { checkQuorum: true });
    c.campaign("1");
    const r = c.get("2");
    r.step(makeMessage({ type: MessageType.Vote, from: "3", to: "2", term: 5, index: 10, logTerm: 5 }));
    expect(r.term).toBe(1);
    expect(r.msgs.length).toBe(0);
  });

  test("a stale leader rejoining learns the new term from the answer to its append", () => {
    const c = new Cluster(["1", "2", "3"], { checkQuorum: true, preVote: true });
    c.campaign("1");
    c.isolate("1");
    c.tick("2", 30);
    c.tick("3", 30);
    const newLeader = [...c.nodes.values()].find((r) => r.state === StateRole.Leader && r.id !== "1")!;
    expect(newLeader.term).toBeGreaterThan(1);
    c.heal();
    c.propose("1", "stale");
    expect(c.get("1").state).toBe(StateRole.Follower);
    expect(c.get("1").term).toBe(newLeader.term);
  });
});
