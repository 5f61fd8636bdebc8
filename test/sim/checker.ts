// The safety properties of Raft, checked as the simulation runs. Each check throws a
// SimViolation naming the property; the run turns it into a failure with seed and trace.
import type { Raft } from "../../server/raft/raft.ts";
import type { Storage } from "../../server/raft/storage.ts";
import { type Entry, type Message, type NodeId, type ReadState, type Snapshot, MessageType } from "../../server/raft/types.ts";
import { applyToHash, decodeSm, type SmState } from "./state_machine.ts";

export class SimViolation extends Error {}

interface CommittedRecord {
  term: number;
  /** The lowest term in which some node knew this entry committed (>= the real commit term). */
  commitTerm: number;
}

export class Checker {
  checks = 0;
  leadersElected = 0;
  private readonly leaderOfTerm = new Map<number, NodeId>();
  private readonly committed = new Map<number, CommittedRecord>();
  private readonly appliedHash = new Map<number, number>();
  maxCommitted = 0;
  /** The earliest commit index a read issued with this context must reflect. */
  private readonly readFloor = new Map<string, number>();

  private fail(message: string): never {
    throw new SimViolation(message);
  }

  /** Election safety: at most one leader per term. Leader completeness: it holds every entry committed in an earlier term. */
  onLeader(r: Raft): boolean {
    this.checks++;
    const prev = this.leaderOfTerm.get(r.term);
    if (prev !== undefined && prev !== r.id) this.fail(`election safety: ${prev} and ${r.id} both leaders of term ${r.term}`);
    if (prev !== undefined) return false;
    this.leaderOfTerm.set(r.term, r.id);
    this.leadersElected++;
    const first = r.raftLog.firstIndex();
    for (const [index, rec] of this.committed) {
      if (rec.commitTerm >= r.term || index < first) continue;
      const t = r.raftLog.termOrZero(index);
      if (t !== rec.term) {
        this.fail(`leader completeness: leader ${r.id} of term ${r.term} has term ${t} at ${index}, committed with term ${rec.term} in term ${rec.commitTerm}`);
      }
    }
    return true;
  }

  /** A node now knows entries up to `commit` are committed; they must never change. */
  onCommit(r: Raft, fromExclusive: number, commit: number): void {
    for (let i = fromExclusive + 1; i <= commit; i++) {
      const t = r.raftLog.termOrZero(i);
      if (t === 0) continue; // compacted here; the snapshot hash check covers it
      this.checks++;
      const rec = this.committed.get(i);
      if (!rec) this.committed.set(i, { term: t, commitTerm: r.term });
      else if (rec.term !== t) this.fail(`committed entry lost: index ${i} committed with term ${rec.term}, ${r.id} commits term ${t}`);
      else if (r.term < rec.commitTerm) rec.commitTerm = r.term;
    }
    if (commit > this.maxCommitted) this.maxCommitted = commit;
  }

  /** State machine safety: every node applies the same entry at each index, in order. */
  onApply(id: NodeId, sm: SmState, e: Entry): void {
    this.checks++;
    if (e.index !== sm.applied + 1) this.fail(`${id} applied index ${e.index} after ${sm.applied}`);
    const rec = this.committed.get(e.index);
    if (rec && rec.term !== e.term) this.fail(`${id} applied term ${e.term} at ${e.index}, committed term is ${rec.term}`);
    sm.applied = e.index;
    sm.hash = applyToHash(sm.hash, e);
    const known = this.appliedHash.get(e.index);
    if (known === undefined) this.appliedHash.set(e.index, sm.hash);
    else if (known !== sm.hash) this.fail(`state machine safety: ${id} diverged at index ${e.index}`);
  }

  onSnapshotApplied(id: NodeId, snap: Snapshot): SmState {
    this.checks++;
    const sm = decodeSm(snap.data);
    if (sm.applied !== snap.metadata.index) this.fail(`${id} got a snapshot at ${snap.metadata.index} holding state ${sm.applied}`);
    const known = this.appliedHash.get(sm.applied);
    if (known !== undefined && known !== sm.hash) this.fail(`state machine safety: snapshot at ${sm.applied} on ${id} differs`);
    return sm;
  }

  /**
   * Persist before acknowledging: a granted vote, or an accepted append, may only leave once
   * the vote or the entries are on this node's disk.
   */
  onSend(m: Message, disk: Storage): void {
    if (m.reject) return;
    if (m.type === MessageType.VoteResp) {
      this.checks++;
      const hs = disk.initialState().hardState;
      if (hs.term !== m.term || hs.vote !== m.to) this.fail(`${m.from} granted a vote to ${m.to} in term ${m.term} before persisting it`);
    } else if (m.type === MessageType.AppResp && m.index > 0) {
      this.checks++;
      const last = disk.lastIndex();
      let durableTerm = -1;
      try {
        durableTerm = disk.term(m.index);
      } catch {
        // compacted (then it was durable) or missing
        if (m.index < disk.firstIndex()) return;
      }
      if (m.index > last || durableTerm < 0) this.fail(`${m.from} acknowledged index ${m.index} before persisting it (disk ends at ${last})`);
    }
  }

  onReadRequested(context: string): void {
    this.readFloor.set(context, this.maxCommitted);
  }

  /** Linearizable reads: the read index covers every commit known anywhere when the read began. */
  onReadState(id: NodeId, rs: ReadState, contextKey: string): void {
    this.checks++;
    const floor = this.readFloor.get(contextKey);
    if (floor === undefined) this.fail(`${id} answered a read nobody asked (${contextKey})`);
    if (rs.index < floor) this.fail(`stale read on ${id}: read index ${rs.index} < commit ${floor} known when the read began`);
  }

  /** Log matching: if two logs hold an entry with the same index and term, they agree up to it. */
  checkLogMatching(logs: Array<{ id: NodeId; raft: Raft }>): void {
    for (let a = 0; a < logs.length; a++) {
      for (let b = a + 1; b < logs.length; b++) this.compareLogs(logs[a]!, logs[b]!);
    }
  }

  private compareLogs(x: { id: NodeId; raft: Raft }, y: { id: NodeId; raft: Raft }): void {
    const lx = x.raft.raftLog;
    const ly = y.raft.raftLog;
    const lo = Math.max(lx.firstIndex(), ly.firstIndex());
    const hi = Math.min(lx.lastIndex(), ly.lastIndex());
    let agreeFrom = -1;
    for (let i = hi; i >= lo; i--) {
      if (lx.termOrZero(i) === ly.termOrZero(i)) {
        agreeFrom = i;
        break;
      }
    }
    if (agreeFrom < 0) return;
    const ex = lx.slice(lo, agreeFrom + 1);
    const ey = ly.slice(lo, agreeFrom + 1);
    for (let k = 0; k < ex.length; k++) {
      this.checks++;
      const p = ex[k]!;
      const q = ey[k]!;
      if (p.term !== q.term || p.type !== q.type || !sameBytes(p.data, q.data)) {
        this.fail(`log matching: ${x.id} and ${y.id} agree at ${agreeFrom} but differ at ${p.index} (terms ${p.term}/${q.term})`);
      }
    }
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
