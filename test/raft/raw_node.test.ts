// The Ready/advance contract of RawNode: what must be persisted, what may be sent, what may
// be applied, and when.
import { describe, expect, test } from "bun:test";
import { bootstrapLog } from "../../server/raft/bootstrap.ts";
import { decodeConfChange } from "../../server/raft/conf_change_codec.ts";
import { InvariantError } from "../../server/raft/errors.ts";
import { MemoryStorage } from "../../server/raft/memory_storage.ts";
import { ProgressState } from "../../server/raft/progress.ts";
import { RawNode } from "../../server/raft/raw_node.ts";
import { SeededRng } from "../../server/raft/rng.ts";
import { type Ready, EntryType, MessageType, StateRole } from "../../server/raft/types.ts";

function node(id: string, peers: string[]): { raw: RawNode; storage: MemoryStorage } {
  const storage = new MemoryStorage();
  const boot = bootstrapLog(peers);
  storage.append(boot.entries);
  storage.setHardState(boot.hardState);
  const raw = new RawNode({ id, storage, rng: new SeededRng(7), electionTimeoutTicks: 10, heartbeatIntervalTicks: 1, preVote: false });
  return { raw, storage };
}

/** One turn of the application's loop; returns the Ready it handled. */
function handle(raw: RawNode, storage: MemoryStorage): Ready {
  const rd = raw.ready();
  if (rd.snapshot) storage.applySnapshot(rd.snapshot);
  storage.append(rd.entries);
  if (rd.hardState) storage.setHardState(rd.hardState);
  for (const e of rd.committedEntries) if (e.type === EntryType.ConfChange) raw.applyConfChange(decodeConfChange(e.data));
  raw.advance();
  return rd;
}

describe("RawNode Ready", () => {
  test("a bootstrapped node applies its initial membership from the log", () => {
    const { raw, storage } = node("1", ["1", "2", "3"]);
    expect(raw.status().voters).toEqual([]);
    const rd = handle(raw, storage);
    expect(rd.committedEntries.length).toBe(3);
    expect(raw.status().voters).toEqual(["1", "2", "3"]);
    expect(raw.hasReady()).toBe(false);
  });

  test("a vote request leaves in the same Ready as the hard state it depends on, marked mustSync", () => {
    const { raw, storage } = node("1", ["1", "2", "3"]);
    handle(raw, storage);
    raw.campaign();
    const rd = raw.ready();
    expect(rd.hardState?.term).toBe(2);
    expect(rd.hardState?.vote).toBe("1");
    expect(rd.mustSync).toBe(true);
    expect(rd.messages.filter((m) => m.type === MessageType.Vote).length).toBe(2);
    raw.advance();
  });

  test("an append acknowledgement is released with the entries it acknowledges", () => {
    const { raw, storage } = node("2", ["1", "2", "3"]);
    handle(raw, storage);
    raw.step({ type: MessageType.App, from: "1", to: "2", term: 2, logTerm: 1, index: 3, commit: 3, reject: false, rejectHint: 0,
      entries: [{ term: 2, index: 4, type: EntryType.Normal, data: new Uint8Array([1]) }] });
    const rd = raw.ready();
    expect(rd.entries.map((e) => e.index)).toEqual([4]);
    expect(rd.mustSync).toBe(true);
    expect(rd.messages.map((m) => [m.type, m.index])).toEqual([[MessageType.AppResp, 4]]);
    raw.advance();
  });

  test("a single-node cluster elects itself, and committed entries come after persistence", () => {
    const { raw, storage } = node("1", ["1"]);
    handle(raw, storage);
    raw.campaign();
    let rd = handle(raw, storage);
    expect(rd.softState?.role).toBe(StateRole.Leader);
    raw.proposeBatch([new Uint8Array([1]), new Uint8Array([2]), new Uint8Array([3])]);
    rd = raw.ready();
    // index 1: bootstrap, 2: the leader's no-op, 3..5: the batch
    expect(rd.entries.map((e) => e.index)).toEqual([3, 4, 5]);
    expect(rd.committedEntries.map((e) => e.index)).toEqual([3, 4, 5]);
    storage.append(rd.entries);
    raw.advance();
    expect(raw.status().applied).toBe(5);
    expect(storage.lastIndex()).toBe(5);
  });

  test("ready() twice without advance() is refused", () => {
    const { raw } = node("1", ["1"]);
    raw.ready();
    expect(() => raw.ready()).toThrow(InvariantError);
  });

  test("status reports per-follower progress on the leader", () => {
    const { raw, storage } = node("1", ["1", "2"]);
    handle(raw, storage);
    raw.campaign();
    handle(raw, storage);
    raw.step({ type: MessageType.VoteResp, from: "2", to: "1", term: 2, logTerm: 0, index: 0, commit: 0, reject: false, rejectHint: 0, entries: [] });
    handle(raw, storage);
    const s = raw.status();
    expect(s.role).toBe(StateRole.Leader);
    expect(Object.keys(s.progress).sort()).toEqual(["1", "2"]);
    expect(s.progress["1"]!.match).toBe(3);
    expect(s.progress["2"]!.state).toBe(ProgressState.Probe);
    // The no-op at 3 waits for node 2, which has not answered yet.
    expect(raw.basicStatus()).toEqual({ id: "1", term: 2, vote: "1", commit: 2, applied: 2, lead: "1", role: StateRole.Leader });
  });
});
