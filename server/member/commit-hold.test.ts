import { describe, expect, test } from "bun:test";
import { makeMessage } from "../raft/message.ts";
import { EntryType, MessageType } from "../raft/types.ts";
import { CommitOnlyHold } from "./commit-hold.ts";

const entry = { term: 1, index: 5, type: EntryType.Normal, data: new Uint8Array(1) };
const commitOnly = (to: string, commit: number) => makeMessage({ type: MessageType.App, to, commit });
const withEntry = (to: string, commit: number) => makeMessage({ type: MessageType.App, to, commit, entries: [entry] });

describe("CommitOnlyHold", () => {
  test("holds an entry-less append, sends it after the delay, and never holds anything else", async () => {
    const released: string[] = [];
    const hold = new CommitOnlyHold(5, (ms) => released.push(...ms.map((m) => `${m.to}@${m.commit}`)));
    const hb = makeMessage({ type: MessageType.Heartbeat, to: "b" });
    expect(hold.filter([commitOnly("b", 4), hb, withEntry("c", 4)])).toEqual([hb, withEntry("c", 4)]);
    await Bun.sleep(20);
    expect(released).toEqual(["b@4"]);
    hold.stop();
  });

  test("an append with entries to the same follower replaces the held one", async () => {
    const released: string[] = [];
    const hold = new CommitOnlyHold(5, (ms) => released.push(...ms.map((m) => `${m.to}@${m.commit}`)));
    hold.filter([commitOnly("b", 4)]);
    expect(hold.filter([withEntry("b", 4)])).toHaveLength(1);
    await Bun.sleep(20);
    expect(released).toEqual([]);
    hold.stop();
  });

  test("the delay counts from when a follower's append was first held: steady appends release nothing", () => {
    let now = 0;
    const released: string[] = [];
    const hold = new CommitOnlyHold(2, (ms) => released.push(...ms.map((m) => `${m.to}@${m.commit}`)), () => now);
    const fire = (hold as unknown as { releaseHeld: () => void }).releaseHeld;
    // One client's writes: each commit held, then carried by the next write's append 0.3 ms later.
    for (let i = 1; i <= 20; i++) {
      hold.filter([withEntry("b", i)]);
      hold.filter([commitOnly("b", i + 1)]);
      now += 0.3;
      if (i % 7 === 0) fire(); // the timer comes due in between: nothing has been held 2 ms
    }
    expect(released).toEqual([]);
    // The burst ends: the last commit was held at 5.7 ms and leaves once 2 ms have passed.
    now += 1.5; // 7.5 ms: not yet
    fire();
    expect(released).toEqual([]);
    now += 0.5;
    fire();
    expect(released).toEqual(["b@21"]);
    // A newer commit-only append to a follower already held replaces it but keeps its due time.
    hold.filter([commitOnly("c", 30)]);
    now += 1;
    hold.filter([commitOnly("c", 31)]);
    now += 1;
    fire();
    expect(released).toEqual(["b@21", "c@31"]);
    hold.stop();
  });

  test("with nothing more in flight (mayHold false) a commit-only append leaves at once and replaces a held one", async () => {
    const released: string[] = [];
    const hold = new CommitOnlyHold(5, (ms) => released.push(...ms.map((m) => `${m.to}@${m.commit}`)));
    expect(hold.filter([commitOnly("b", 4)])).toEqual([]);
    expect(hold.filter([commitOnly("b", 5)], false)).toEqual([commitOnly("b", 5)]);
    await Bun.sleep(20);
    expect(released).toEqual([]);
    hold.stop();
  });

  test("a commit of proposals the follower forwarded leaves at once, once", () => {
    const hold = new CommitOnlyHold(1000, () => {});
    hold.forwarded("b", 9);
    expect(hold.filter([commitOnly("b", 8)])).toEqual([]); // not yet covering them
    expect(hold.filter([commitOnly("b", 9)])).toHaveLength(1);
    expect(hold.filter([commitOnly("b", 10)])).toEqual([]);
    hold.forwarded("c", 3);
    hold.forget("c");
    expect(hold.filter([commitOnly("c", 3)])).toEqual([]);
    hold.stop();
  });
});
