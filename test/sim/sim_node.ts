// One simulated member: a RawNode over a simulated disk, plus its state machine. The process
// part (raw, sm) is lost on crash; the disk (persist) survives.
import { RawNode } from "../../server/raft/raw_node.ts";
import { SeededRng } from "../../server/raft/rng.ts";
import type { ConfState } from "../../server/raft/types.ts";
import type { SimPersistence } from "./persist.ts";
import { decodeSm, type SmState } from "./state_machine.ts";

/** Where in the handling of its next Ready a node is to lose power. */
export type CrashPoint = "now" | "beforePersist" | "afterPersist" | "afterSend";

export interface RaftTuning {
  electionTimeoutTicks: number;
  heartbeatIntervalTicks: number;
  maxSizePerMsgBytes: number;
  maxInflightMsgs: number;
  maxUncommittedEntriesBytes: number;
  checkQuorum: boolean;
  preVote: boolean;
}

export class SimNode {
  raw: RawNode | undefined;
  sm: SmState = { applied: 0, hash: 0 };
  confState: ConfState = { voters: [], learners: [] };
  /** Highest commit index already reported to the checker by this incarnation. */
  seenCommit = 0;
  crashPoint: CrashPoint | undefined;
  restartAtTick = -1;
  /** A crash scheduled for a given tick (e.g. shortly after winning an election). */
  crashAtTick = -1;
  /** The last term in which this node, as leader, advanced its commit index. */
  lastCommitTermAsLeader = 0;
  incarnation = 0;

  constructor(
    readonly id: string,
    readonly persist: SimPersistence,
    readonly tickPhase: number,
  ) {}

  get up(): boolean {
    return this.raw !== undefined;
  }

  start(tuning: RaftTuning, seed: number): void {
    const snap = this.persist.storage.snapshot();
    this.raw = new RawNode({
      id: this.id,
      storage: this.persist.storage,
      rng: new SeededRng(seed),
      applied: snap.metadata.index,
      ...tuning,
    });
    this.sm = decodeSm(snap.data);
    this.confState = snap.metadata.confState;
    this.seenCommit = snap.metadata.index;
    this.crashPoint = undefined;
    this.incarnation++;
  }

  /** Power loss: the process and its memory are gone, unsynced writes too. */
  crash(): void {
    this.raw = undefined;
    this.crashAtTick = -1;
    this.crashPoint = undefined;
    this.persist.crash();
  }
}
