// The fault schedule of the fault phase: each tick, seeded dice decide what goes wrong.
// Rates are per run (drawn from the seed) so some runs are calm and some are storms.
import { ConfChangeType } from "../../server/raft/types.ts";
import type { Sim } from "./sim.ts";
import type { CrashPoint } from "./sim_node.ts";

export interface FaultRates {
  crash: number;
  partition: number;
  oneWay: number;
  healPartitions: number;
  clog: number;
  unclog: number;
  membership: number;
  transfer: number;
  propose: number;
  read: number;
  newLeaderCrash: number;
  leaderCommitCrash: number;
  leaderFirstCommitCrash: number;
}

export function drawFaultRates(sim: Sim): FaultRates {
  const r = sim.rng;
  const storm = r.chance(0.3) ? 3 : 1;
  return {
    crash: r.pick([0, 0.005, 0.015]) * storm,
    partition: r.pick([0, 0.01, 0.03]) * storm,
    oneWay: r.pick([0, 0.01, 0.03]) * storm,
    healPartitions: r.pick([0.02, 0.05]),
    clog: r.pick([0, 0.02, 0.05]),
    unclog: r.pick([0.03, 0.08]),
    membership: r.pick([0, 0.005, 0.02]),
    transfer: r.pick([0, 0.005, 0.02]),
    propose: r.pick([0.1, 0.4, 0.9]),
    read: r.pick([0, 0.05, 0.2]),
    newLeaderCrash: r.pick([0, 0.1, 0.3]),
    leaderCommitCrash: r.pick([0, 0.01, 0.05]),
    leaderFirstCommitCrash: r.pick([0, 0.3, 0.6]),
  };
}

const CRASH_POINTS: CrashPoint[] = ["now", "beforePersist", "afterPersist", "afterSend"];

export function injectFaults(sim: Sim, rates: FaultRates): void {
  const r = sim.rng;
  sim.newLeaderCrashRate = rates.newLeaderCrash;
  sim.leaderCommitCrashRate = rates.leaderCommitCrash;
  sim.leaderFirstCommitCrashRate = rates.leaderFirstCommitCrash;
  const ids = [...sim.nodes.keys()];
  if (r.chance(rates.crash)) {
    const up = sim.upNodes();
    if (up.length > 0) {
      const node = r.pick(up);
      sim.count("crash");
      sim.crashNode(node, r.pick(CRASH_POINTS), r.between(1, 60));
    }
  }
  if (r.chance(rates.partition)) {
    // A symmetric split into two random sides.
    const side = new Set(ids.filter(() => r.chance(0.5)));
    if (side.size > 0 && side.size < ids.length) {
      sim.count("partition");
      sim.trace.note(sim.time, `partition {${[...side].join(",")}} | {${ids.filter((i) => !side.has(i)).join(",")}}`);
      for (const a of side) for (const b of ids) if (!side.has(b)) (sim.net.block(a, b), sim.net.block(b, a));
    }
  }
  if (r.chance(rates.oneWay)) {
    const a = r.pick(ids);
    const b = r.pick(ids);
    if (a !== b) {
      sim.count("oneWayPartition");
      sim.trace.note(sim.time, `one-way partition ${a} -> ${b}`);
      sim.net.block(a, b);
    }
  }
  if (r.chance(rates.healPartitions) && sim.net.blockedLinks().length > 0) {
    sim.count("healPartitions");
    sim.trace.note(sim.time, "partitions healed");
    for (const link of sim.net.blockedLinks()) {
      const [a, b] = link.split(">") as [string, string];
      sim.net.unblock(a, b);
    }
  }
  if (r.chance(rates.clog)) {
    const a = r.pick(ids);
    const b = r.pick(ids);
    if (a !== b) {
      sim.count("clog");
      sim.trace.note(sim.time, `clog ${a} -> ${b}`);
      sim.net.clog(a, b);
    }
  }
  if (r.chance(rates.unclog)) {
    const clogged = sim.net.cloggedLinks();
    if (clogged.length > 0) {
      const [a, b] = r.pick(clogged);
      sim.count("unclog");
      sim.trace.note(sim.time, `unclog ${a} -> ${b}`);
      sim.net.unclog(a, b, sim.time);
    }
  }
  if (r.chance(rates.membership)) changeMembership(sim);
  if (r.chance(rates.transfer)) {
    const leader = sim.leader();
    const voters = sim.conf.voters.filter((v) => v !== leader?.id);
    if (leader && voters.length > 0) {
      const to = r.pick(voters);
      sim.count("transferLeadership");
      sim.trace.note(sim.time, `transfer leadership ${leader.id} -> ${to}`);
      sim.withNode(leader, (raw) => raw.transferLeadership(to));
    }
  }
  workload(sim, rates);
}

function changeMembership(sim: Sim): void {
  const r = sim.rng;
  const up = sim.upNodes();
  if (up.length === 0) return;
  const via = r.pick(up);
  const members = sim.membersNow();
  const add = members.length <= 3 || (members.length < 6 && r.chance(0.5));
  const nodeId = add ? sim.freshNodeId() : r.pick(members);
  sim.count(add ? "addMember" : "removeMember");
  sim.trace.note(sim.time, `propose ${add ? "add" : "remove"} ${nodeId} via ${via.id}`);
  sim.withNode(via, (raw) =>
    raw.proposeConfChange({ type: add ? ConfChangeType.AddNode : ConfChangeType.RemoveNode, nodeId, context: new Uint8Array(0) }),
  );
}

/** Client traffic: proposals (single and batched) and linearizable reads on random members. */
export function workload(sim: Sim, rates: { propose: number; read: number }): void {
  const r = sim.rng;
  const up = sim.upNodes();
  if (up.length === 0) return;
  if (r.chance(rates.propose)) {
    // Mostly at the leader (where the member sends them), sometimes via a follower.
    const leader = sim.leader();
    const node = leader && r.chance(0.7) ? leader : r.pick(up);
    sim.propose(node, r.chance(0.3) ? r.between(2, 20) : 1);
  }
  if (r.chance(rates.read)) sim.readIndex(r.pick(up));
}
