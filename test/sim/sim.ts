// One deterministic simulation run: N members on a simulated network and disk, driven by a
// seeded RNG through a fault phase, then a heal phase that must converge. Everything that
// varies comes from the seed, so a failing seed replays exactly.
import { bootstrapLog } from "../../server/raft/bootstrap.ts";
import { decodeConfChange } from "../../server/raft/conf_change_codec.ts";
import { ProposalDroppedError } from "../../server/raft/errors.ts";
import { contextKey } from "../../server/raft/read_only.ts";
import { SeededRng } from "../../server/raft/rng.ts";
import { type ConfState, type Entry, type HardState, type Message, type Ready, EntryType, StateRole } from "../../server/raft/types.ts";
import { Checker } from "./checker.ts";
import { SimNetwork } from "./network.ts";
import { type PersistenceFactory, memoryPersistence } from "./persist.ts";
import { type CrashPoint, type RaftTuning, SimNode } from "./sim_node.ts";
import { encodeSm } from "./state_machine.ts";
import { Trace } from "./trace.ts";

export const TIME_UNITS_PER_TICK = 10;
const PROBE_MARK = 0xfe;

export interface SimOptions {
  seed: number;
  nodeCount: number;
  faultTicks?: number;
  healBudgetTicks?: number;
  persistence?: PersistenceFactory;
  traceLines?: number;
}

export interface SimStats {
  ticks: number;
  faults: Record<string, number>;
  checks: number;
  messages: number;
  committed: number;
  leadersElected: number;
}

export class Sim {
  readonly rng: SeededRng;
  readonly net: SimNetwork;
  readonly checker = new Checker();
  readonly trace: Trace;
  readonly nodes = new Map<string, SimNode>();
  readonly tuning: RaftTuning;
  readonly faults: Record<string, number> = {};
  private readonly persistence: PersistenceFactory;
  time = 0;
  tick = 0;
  /** The configuration of the highest-index conf change anyone applied. */
  conf: ConfState;
  confIndex = 0;
  /** Every configuration in force so far, oldest first. */
  readonly confHistory: ConfState[] = [];
  private nextPayload = 1;
  private nextNodeId: number;
  /** Nodes that must converge after healing (undefined during the fault phase). */
  healSet: Set<string> | undefined;
  /** Chance that a newly elected leader crashes within a few ticks (the Figure 8 schedules). */
  newLeaderCrashRate = 0;
  /** Chance that a leader loses power right after persisting a commit advance, before telling anyone. */
  leaderCommitCrashRate = 0;
  leaderFirstCommitCrashRate = 0;
  probeIndex = 0;

  constructor(readonly options: SimOptions) {
    this.rng = new SeededRng(options.seed);
    this.trace = new Trace(options.traceLines ?? 400);
    this.persistence = options.persistence ?? memoryPersistence;
    const r = this.rng;
    this.net = new SimNetwork(new SeededRng(r.intBelow(2 ** 32)), {
      delayMin: r.between(1, 5),
      delayMax: r.between(6, r.chance(0.3) ? 60 : 25),
      lossRate: r.pick([0, 0.01, 0.05, 0.15]),
      duplicateRate: r.pick([0, 0.01, 0.05]),
    });
    this.tuning = {
      electionTimeoutTicks: 10,
      heartbeatIntervalTicks: 1,
      // Flow-control profiles that can still drain a backlog within the heal budget. 1 byte
      // means one entry per append, so old-term entries are acknowledged on their own.
      ...r.pick([
        { maxSizePerMsgBytes: 1, maxInflightMsgs: 64, maxUncommittedEntriesBytes: 2048 },
        { maxSizePerMsgBytes: 256, maxInflightMsgs: 8, maxUncommittedEntriesBytes: 4096 },
        { maxSizePerMsgBytes: 1024, maxInflightMsgs: 2, maxUncommittedEntriesBytes: 16384 },
        { maxSizePerMsgBytes: 256, maxInflightMsgs: 64, maxUncommittedEntriesBytes: 512 },
        { maxSizePerMsgBytes: 1024 * 1024, maxInflightMsgs: 64, maxUncommittedEntriesBytes: 1024 * 1024 },
      ]),
      checkQuorum: r.chance(0.8),
      preVote: r.chance(0.8),
    };
    const ids = Array.from({ length: options.nodeCount }, (_, i) => String(i + 1));
    this.nextNodeId = options.nodeCount + 1;
    this.conf = { voters: ids, learners: [] };
    const boot = bootstrapLog(ids);
    for (const id of ids) this.addNode(id, boot);
    this.trace.note(0, `seed=${options.seed} nodes=${ids.join(",")} net=${JSON.stringify(this.net.profile)} raft=${JSON.stringify(this.tuning)}`);
  }

  count(fault: string): void {
    this.faults[fault] = (this.faults[fault] ?? 0) + 1;
  }

  private addNode(id: string, boot?: { entries: Entry[]; hardState: HardState }): SimNode {
    const disk = this.persistence({ id });
    if (boot) disk.save({ entries: boot.entries.map((e) => ({ ...e })), hardState: boot.hardState }, { sync: true });
    const node = new SimNode(id, disk, this.rng.intBelow(TIME_UNITS_PER_TICK));
    this.nodes.set(id, node);
    this.startNode(node);
    return node;
  }

  startNode(node: SimNode): void {
    node.start(this.tuning, this.rng.intBelow(2 ** 32));
    const raft = node.raw!.raft;
    this.trace.note(this.time, `${node.id} starts (incarnation ${node.incarnation}) term=${raft.term} commit=${raft.raftLog.committed} last=${raft.raftLog.lastIndex()} applied=${node.sm.applied}`);
    this.checker.onCommit(raft, node.seenCommit, raft.raftLog.committed);
    node.seenCommit = raft.raftLog.committed;
  }

  crashNode(node: SimNode, point: CrashPoint, downTicks: number): void {
    if (!node.up) return;
    node.restartAtTick = this.tick + downTicks;
    if (point === "now") {
      this.trace.note(this.time, `${node.id} crashes`);
      node.crash();
    } else {
      node.crashPoint = point;
    }
  }

  membersNow(): string[] {
    return [...this.conf.voters, ...this.conf.learners];
  }

  upNodes(): SimNode[] {
    return [...this.nodes.values()].filter((n) => n.up);
  }

  leader(): SimNode | undefined {
    let best: SimNode | undefined;
    for (const n of this.nodes.values()) {
      const r = n.raw?.raft;
      if (r && r.state === StateRole.Leader && (!best || r.term > best.raw!.raft.term)) best = n;
    }
    return best;
  }

  freshNodeId(): string {
    return String(this.nextNodeId++);
  }

  // ---- inputs ----

  propose(node: SimNode, count: number): void {
    const datas: Uint8Array[] = [];
    for (let i = 0; i < count; i++) {
      const pad = this.rng.chance(0.2) ? this.rng.between(1, 100) : 0;
      const d = new Uint8Array(4 + pad);
      new DataView(d.buffer).setUint32(0, this.nextPayload++);
      datas.push(d);
    }
    this.withNode(node, (raw) => (count === 1 ? raw.propose(datas[0]!) : raw.proposeBatch(datas)));
  }

  proposeProbe(node: SimNode): void {
    const d = new Uint8Array(5);
    d[0] = PROBE_MARK;
    new DataView(d.buffer).setUint32(1, this.nextPayload++);
    this.trace.note(this.time, `probe proposed on ${node.id}`);
    this.withNode(node, (raw) => raw.propose(d));
  }

  readIndex(node: SimNode): void {
    const ctx = new TextEncoder().encode(`read-${this.nextPayload++}`);
    this.checker.onReadRequested(contextKey(ctx));
    this.withNode(node, (raw) => raw.readIndex(ctx));
  }

  /** Runs an input on a live node, then drains its Ready. Dropped proposals are normal here. */
  withNode(node: SimNode, input: (raw: NonNullable<SimNode["raw"]>) => void): void {
    const raw = node.raw;
    if (!raw) return;
    try {
      input(raw);
    } catch (e) {
      if (!(e instanceof ProposalDroppedError)) throw e;
    }
    this.drain(node);
  }

  // ---- the Ready loop: persist, then send, then apply, then advance ----

  drain(node: SimNode): void {
    while (node.raw && node.raw.hasReady()) {
      const raw = node.raw;
      const rd = raw.ready();
      if (this.crashHere(node, "beforePersist")) return;
      node.persist.save({ hardState: rd.hardState, entries: rd.entries, snapshot: rd.snapshot }, { sync: rd.mustSync });
      if (rd.hardState && rd.hardState.commit > node.seenCommit) {
        this.checker.onCommit(raw.raft, node.seenCommit, rd.hardState.commit);
        node.seenCommit = rd.hardState.commit;
        if (!this.healSet && raw.raft.state === StateRole.Leader) this.maybeCrashAfterCommit(node, raw.raft.term);
      }
      if (this.crashHere(node, "afterPersist")) return;
      for (const m of rd.messages) {
        this.checker.onSend(m, node.persist.storage);
        this.net.send(m, this.time);
      }
      if (this.crashHere(node, "afterSend")) return;
      this.apply(node, rd);
      raw.advance();
      this.maybeCompact(node);
    }
    const r = node.raw?.raft;
    if (r && r.state === StateRole.Leader && this.checker.onLeader(r)) {
      this.trace.note(this.time, `${node.id} is leader of term ${r.term} (last ${r.raftLog.lastIndex()}, commit ${r.raftLog.committed})`);
      if (!this.healSet && this.rng.chance(this.newLeaderCrashRate)) node.crashAtTick = this.tick + this.rng.between(0, 4);
    }
  }

  /**
   * A leader losing power right after persisting a commit advance, before telling anyone.
   * A new leader's first commit is the riskiest moment (it may cover entries of older terms),
   * so it gets its own, higher rate.
   */
  private maybeCrashAfterCommit(node: SimNode, term: number): void {
    const first = node.lastCommitTermAsLeader !== term;
    node.lastCommitTermAsLeader = term;
    if (!this.rng.chance(first ? this.leaderFirstCommitCrashRate : this.leaderCommitCrashRate)) return;
    this.count(first ? "crashLeaderAfterFirstCommit" : "crashLeaderAfterCommit");
    this.crashNode(node, "afterPersist", this.rng.between(1, 40));
  }

  private crashHere(node: SimNode, point: CrashPoint): boolean {
    if (node.crashPoint !== point) return false;
    this.trace.note(this.time, `${node.id} crashes ${point}`);
    node.crash();
    return true;
  }

  private apply(node: SimNode, rd: Ready): void {
    if (rd.snapshot) {
      node.sm = this.checker.onSnapshotApplied(node.id, rd.snapshot);
      node.confState = rd.snapshot.metadata.confState;
      this.trace.note(this.time, `${node.id} restores snapshot ${rd.snapshot.metadata.index}@${rd.snapshot.metadata.term}`);
    }
    for (const e of rd.committedEntries) {
      this.checker.onApply(node.id, node.sm, e);
      if (e.type === EntryType.ConfChange) this.applyConfChange(node, e);
      else if (e.data.length === 5 && e.data[0] === PROBE_MARK && this.probeIndex === 0 && this.healSet) {
        this.probeIndex = e.index;
        this.trace.note(this.time, `probe committed at ${e.index}`);
      }
    }
    for (const rs of rd.readStates) this.checker.onReadState(node.id, rs, contextKey(rs.requestCtx));
  }

  private applyConfChange(node: SimNode, e: Entry): void {
    const cc = decodeConfChange(e.data);
    node.confState = node.raw!.applyConfChange(cc);
    if (e.index > this.confIndex) {
      this.confIndex = e.index;
      this.conf = node.confState;
      this.confHistory.push(node.confState);
      this.trace.note(this.time, `conf ${e.index}: voters=${this.conf.voters.join(",")} (${cc.type === 0 ? "add" : "remove"} ${cc.nodeId})`);
      if (!this.nodes.has(cc.nodeId) && cc.type === 0) {
        // Like an operator starting the new member after `member add`: empty disk, no peers.
        const fresh = this.addNode(cc.nodeId);
        this.healSet?.add(fresh.id);
      }
    }
  }

  private maybeCompact(node: SimNode): void {
    const storage = node.persist.storage;
    if (node.sm.applied - storage.firstIndex() < 40) return;
    const keep = this.rng.between(0, 10);
    node.persist.snapshotAndCompact(node.sm.applied, {
      confState: node.confState,
      data: encodeSm(node.sm),
      compactTo: node.sm.applied - keep,
    });
  }

  // ---- time ----

  /** Advances one tick: deliver due messages and tick each node at its phase. */
  step(): void {
    const end = this.time + TIME_UNITS_PER_TICK;
    for (; this.time < end; this.time++) {
      for (let m = this.net.nextDue(this.time); m; m = this.net.nextDue(this.time)) {
        const node = this.nodes.get(m.to);
        if (!node?.raw) {
          this.net.drop(m);
          continue;
        }
        this.trace.deliver(this.time, m);
        node.raw.step(m);
        this.drain(node);
        if (m.snapshot) this.reportSnapshot(m, false);
      }
      for (const lost of this.net.lostSnapshots.splice(0)) this.reportSnapshot(lost, true);
      const phase = this.time % TIME_UNITS_PER_TICK;
      for (const node of this.nodes.values()) {
        if (node.tickPhase !== phase || !node.raw) continue;
        node.raw.tick();
        this.drain(node);
      }
    }
    this.tick++;
    for (const node of this.nodes.values()) {
      if (node.up && node.crashAtTick === this.tick) {
        this.count("crashNewLeader");
        this.crashNode(node, this.rng.pick(["now", "beforePersist", "afterPersist", "afterSend"] as const), this.rng.between(1, 40));
      }
      if (!node.up && node.restartAtTick >= 0 && node.restartAtTick <= this.tick) this.startNode(node);
    }
    if (this.tick % 25 === 0) this.checkLogs();
  }

  /** What the peer transport does once a snapshot stream ends. */
  private reportSnapshot(m: Message, failed: boolean): void {
    const sender = this.nodes.get(m.from);
    if (!sender?.raw) return;
    this.trace.note(this.time, `snapshot ${m.from}->${m.to} ${failed ? "failed" : "delivered"}`);
    sender.raw.reportSnapshot(m.to, { failed });
    this.drain(sender);
  }

  checkLogs(): void {
    this.checker.checkLogMatching(this.upNodes().map((n) => ({ id: n.id, raft: n.raw!.raft })));
  }

  stats(): SimStats {
    return {
      ticks: this.tick,
      faults: { ...this.faults },
      checks: this.checker.checks,
      messages: this.net.sent,
      committed: this.checker.maxCommitted,
      leadersElected: this.checker.leadersElected,
    };
  }
}
