// Runs one seed end to end: fault phase, heal a majority, require convergence, check logs.
import { majority } from "../../server/raft/quorum.ts";
import { EntryType } from "../../server/raft/types.ts";
import { SimViolation } from "./checker.ts";
import { drawFaultRates, injectFaults, workload } from "./faults.ts";
import type { PersistenceFactory } from "./persist.ts";
import { Sim, type SimStats } from "./sim.ts";

export interface RunResult {
  seed: number;
  nodeCount: number;
  ok: boolean;
  error?: string;
  trace?: string;
  stats: SimStats;
}

export interface RunOptions {
  nodeCount?: number;
  faultTicks?: number;
  healBudgetTicks?: number;
  persistence?: PersistenceFactory;
  /** Called with the finished simulation, pass or fail (for debugging a seed). */
  inspect?: (sim: Sim) => void;
}

/** 3 or 5 nodes, chosen by the seed unless given. */
export function runSeed(seed: number, options: RunOptions = {}): RunResult {
  const nodeCount = options.nodeCount ?? (seed % 2 === 0 ? 3 : 5);
  const sim = new Sim({ seed, nodeCount, persistence: options.persistence });
  try {
    const rates = drawFaultRates(sim);
    const faultTicks = options.faultTicks ?? 150 + sim.rng.intBelow(150);
    for (let t = 0; t < faultTicks; t++) {
      injectFaults(sim, rates);
      sim.step();
    }
    heal(sim);
    const budget = options.healBudgetTicks ?? 600;
    let converged = false;
    for (let t = 0; t < budget && !converged; t++) {
      if (sim.probeIndex === 0 && t % 20 === 0) {
        const candidates = [...sim.healSet!].map((id) => sim.nodes.get(id)!).filter((n) => n.up);
        if (candidates.length > 0) sim.proposeProbe(sim.rng.pick(candidates));
      }
      workload(sim, { propose: 0.1, read: 0.1 });
      sim.step();
      converged = hasConverged(sim);
    }
    sim.checkLogs();
    options.inspect?.(sim);
    if (!converged) {
      throw new SimViolation(`no convergence within ${budget} ticks after healing {${[...sim.healSet!].join(",")}} (probe index ${sim.probeIndex})`);
    }
    return { seed, nodeCount, ok: true, stats: sim.stats() };
  } catch (e) {
    const error = e instanceof SimViolation ? e.message : e instanceof Error ? `${e.name}: ${e.message}\n${e.stack}` : String(e);
    return { seed, nodeCount, ok: false, error, trace: sim.trace.format(), stats: sim.stats() };
  }
}

function heal(sim: Sim): void {
  const members = sim.membersNow().filter((id) => sim.nodes.has(id));
  let healSet: Set<string>;
  if (hasPendingConfChange(sim) || !everyoneKnowsLatestConf(sim)) {
    // An uncommitted membership change may still land and move the quorum, or a member may
    // still count votes in the previous configuration (where a removed member with a longer
    // log can refuse its vote): heal everyone, as an operator would.
    healSet = new Set(sim.nodes.keys());
  } else {
    const shuffled = [...members];
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = sim.rng.intBelow(i + 1);
      [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
    }
    healSet = new Set(shuffled.slice(0, sim.rng.between(majority(members.length), members.length)));
    // A member that has not yet learned that the latest change committed still counts votes in an
    // older configuration: keep a majority of the recent ones too, or no one can be elected.
    for (const conf of sim.confHistory.slice(-4)) {
      const voters = conf.voters.filter((id) => sim.nodes.has(id));
      const missing = voters.filter((id) => !healSet.has(id));
      while (voters.length - missing.length < majority(conf.voters.length)) {
        healSet.add(missing.splice(sim.rng.intBelow(missing.length), 1)[0]!);
      }
    }
  }
  sim.healSet = healSet;
  sim.count("heal");
  sim.trace.note(sim.time, `heal {${[...healSet].join(",")}}; the rest stays cut off`);
  const ids = [...sim.nodes.keys()];
  for (const a of ids) {
    for (const b of ids) {
      if (a === b) continue;
      if (healSet.has(a) && healSet.has(b)) sim.net.unblock(a, b);
      else if (healSet.has(a) !== healSet.has(b)) sim.net.block(a, b);
    }
  }
  for (const [a, b] of sim.net.cloggedLinks()) if (healSet.has(a) && healSet.has(b)) sim.net.unclog(a, b, sim.time);
  // A healed network is a healthy one: round trips well inside the election timeout (Raft's
  // liveness needs broadcastTime << electionTimeout) and little loss.
  const p = sim.net.profile;
  sim.net.profile = { ...p, delayMax: Math.min(p.delayMax, 20), delayMin: Math.min(p.delayMin, 20), lossRate: Math.min(p.lossRate, 0.02) };
  for (const id of healSet) {
    const node = sim.nodes.get(id)!;
    node.crashPoint = undefined;
    if (!node.up) sim.startNode(node);
  }
}

function hasPendingConfChange(sim: Sim): boolean {
  for (const node of sim.nodes.values()) {
    const raft = node.raw?.raft;
    const storage = node.persist.storage;
    const from = Math.max(sim.confIndex + 1, raft ? raft.raftLog.firstIndex() : storage.firstIndex());
    const last = raft ? raft.raftLog.lastIndex() : storage.lastIndex();
    if (from > last) continue;
    const ents = raft ? raft.raftLog.slice(from, last + 1) : storage.entries(from, last + 1);
    if (ents.some((e) => e.type === EntryType.ConfChange)) return true;
  }
  return false;
}

function everyoneKnowsLatestConf(sim: Sim): boolean {
  for (const node of sim.nodes.values()) {
    const known = node.up ? node.sm.applied : node.persist.storage.initialState().hardState.commit;
    if (known < sim.confIndex) return false;
  }
  return true;
}

function hasConverged(sim: Sim): boolean {
  if (sim.probeIndex === 0) return false;
  const members = new Set(sim.membersNow());
  for (const id of sim.healSet!) {
    if (!members.has(id)) continue;
    const node = sim.nodes.get(id)!;
    if (!node.up || node.sm.applied < sim.probeIndex) return false;
  }
  return true;
}

export function formatFailure(r: RunResult): string {
  return `FAILED seed=${r.seed} nodes=${r.nodeCount}: ${r.error}\n--- trace (last events) ---\n${r.trace}\n--- replay: bun test/sim/campaign.ts --seeds 1 --first-seed ${r.seed}`;
}
