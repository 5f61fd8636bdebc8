// One chaos campaign: a real cluster, concurrent recorded clients and watchers, a seeded nemesis;
// then heal, and check: linearizability, no lost acknowledged write, convergence of every member,
// recovery within ten election timeouts after each fault, and watch continuity.
import { startCluster, type Cluster } from "../support/cluster.ts";
import type { ServerKind } from "../support/servers.ts";
import { findLostWrites } from "./lost-writes.ts";
import { awaitConvergence } from "./convergence.ts";
import { rng } from "./histories.ts";
import type { KeyOp, Outcome } from "./history.ts";
import { checkHistory } from "./linearizability.ts";
import { Nemesis, type FaultRecord, type NemesisKind } from "./nemesis.ts";
import { Recorder } from "./recorder.ts";
import { formatKeyFailure } from "./report.ts";
import { checkWatchers, Watcher } from "./watchers.ts";

export interface CampaignOptions {
  seed: number;
  durationMs: number;
  nemesis: readonly NemesisKind[];
  size?: number;
  server?: ServerKind;
  clients?: number;
  watchers?: number;
  heartbeatIntervalMs?: number;
  electionTimeoutMs?: number;
  snapshotCount?: number;
  holdMsMin?: number;
  holdMsMax?: number;
  gapMs?: number;
  log?(line: string): void;
}

export interface CampaignResult {
  seed: number;
  server: ServerKind;
  size: number;
  durationMs: number;
  operations: number;
  /** Requests never sent (no member running): not in the history. */
  notSent: number;
  outcomes: Record<Outcome, number>;
  faults: FaultRecord[];
  faultsByKind: Record<string, number>;
  watchEvents: number;
  watch401s: number;
  anomalies: string[];
  /** The readable account of each anomaly (failing key histories, member logs). */
  details: string[];
  checkMs: number;
}

function countBy<T>(xs: readonly T[], f: (x: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of xs) out[f(x)] = (out[f(x)] ?? 0) + 1;
  return out;
}

async function storeIndex(cluster: Cluster): Promise<number> {
  for (const m of cluster.running()) {
    try {
      const r = await fetch(`${m.clientURL}/v2/keys/`, { signal: AbortSignal.timeout(2000) });
      await r.arrayBuffer();
      return Number(r.headers.get("x-etcd-index"));
    } catch {
      // Try the next member.
    }
  }
  throw new Error("no member answers");
}

export async function runCampaign(opts: CampaignOptions): Promise<CampaignResult> {
  const log = opts.log ?? ((l: string) => console.log(l));
  // Separate streams: the nemesis schedule must not depend on how many client requests ran.
  const random = rng(opts.seed);
  const clientRandom = rng(opts.seed ^ 0x27d4eb2f);
  const size = opts.size ?? 3;
  const electionTimeoutMs = opts.electionTimeoutMs ?? 1000;
  const snapshotCount = opts.snapshotCount ?? 500;
  const cluster = await startCluster({
    size,
    server: opts.server,
    proxied: true,
    heartbeatIntervalMs: opts.heartbeatIntervalMs ?? 100,
    electionTimeoutMs,
    snapshotCount,
    random: rng(opts.seed ^ 0x5bd1e995),
  });
  const anomalies: string[] = [];
  const details: string[] = [];
  const endpoints = () => cluster.members.filter((m) => m.state === "running" || m.state === "paused").map((m) => ({ name: m.name, url: m.clientURL }));
  try {
    const prefix = "chaos";
    const startIndex = (await storeIndex(cluster)) + 1;
    const recorder = new Recorder({ prefix, clients: opts.clients ?? 8, activeKeys: 6, opsPerKey: 80, requestTimeoutMs: 3 * electionTimeoutMs + 8000, random: clientRandom, endpoints });
    const watchers = Array.from({ length: opts.watchers ?? 3 }, (_, i) => new Watcher(i + 1, { prefix, startIndex, random: clientRandom, endpoints, idleMs: 3 * electionTimeoutMs }));
    const nemesis = new Nemesis(cluster, {
      kinds: opts.nemesis,
      random,
      holdMsMin: opts.holdMsMin ?? 2 * electionTimeoutMs,
      holdMsMax: opts.holdMsMax ?? 6 * electionTimeoutMs,
      gapMs: opts.gapMs ?? 2 * electionTimeoutMs,
      catchUpWrites: snapshotCount + 5000 + 500,
      log,
    });
    const started = Date.now();
    const work = recorder.start();
    const watching = watchers.map((w) => w.run());
    await nemesis.run(started + opts.durationMs);
    await nemesis.healAll();
    // A little fault-free traffic after healing, then stop the clients.
    await Bun.sleep(2 * electionTimeoutMs);
    recorder.stop();
    await work;
    await recorder.finalReads(9999);
    const finalIndex = await storeIndex(cluster);
    // Give the watchers time to reach the end, then stop them.
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && watchers.some((w) => (w.marks.at(-1)?.kind === "event" ? (w.marks.at(-1) as { event: { index: number } }).event.index : 0) < finalIndex - 200)) await Bun.sleep(200);
    await Bun.sleep(1000);
    for (const w of watchers) w.stop();
    await Promise.all(watching);
    anomalies.push(...nemesis.anomalies);

    const checkStarted = performance.now();
    const conv = await awaitConvergence(
      cluster.members.filter((m) => m.state === "running"),
      { timeoutMs: 30_000 },
    );
    if (!conv.ok) {
      anomalies.push(`members did not converge in 30 s: ${conv.snapshots.map((s) => `${s.name} store=${s.storeIndex} raft=${s.raftIndex} hash=${s.hash}`).join("; ")}`);
    }
    const ops: KeyOp[] = recorder.ops;
    const verdict = checkHistory(ops);
    for (const f of verdict.failing) {
      anomalies.push(`key ${f.key} ${f.undecided ? "could not be decided within the search budget" : "is not linearizable"} (${f.ops} operations)`);
      if (details.length < 3) details.push(formatKeyFailure(f, ops));
    }
    const finals = new Map<string, string | null>();
    for (const op of ops) if (op.kind === "read" && op.outcome === "ok" && op.client === 9999) finals.set(op.key, op.result ?? null);
    anomalies.push(...findLostWrites(ops, finals));
    const watch = checkWatchers(watchers);
    anomalies.push(...watch.problems.slice(0, 20));
    const checkMs = performance.now() - checkStarted;
    if (anomalies.length > 0) {
      for (const m of cluster.members) details.push(`--- ${m.name} (${m.state}) log tail\n${m.logs().slice(-2500)}`);
    }
    return {
      seed: opts.seed,
      server: cluster.server,
      size,
      durationMs: Date.now() - started,
      operations: ops.length,
      notSent: recorder.notSent,
      outcomes: { ok: 0, fail: 0, unknown: 0, ...countBy(ops, (o) => o.outcome) },
      faults: nemesis.faults,
      faultsByKind: countBy(nemesis.faults, (f) => f.kind),
      watchEvents: watch.events,
      watch401s: watch.cleared,
      anomalies,
      details,
      checkMs,
    };
  } finally {
    await cluster.stop();
  }
}

export function summarize(r: CampaignResult): string {
  const faults = Object.entries(r.faultsByKind).map(([k, n]) => `${k}×${n}`).join(" ");
  return [
    `campaign seed=${r.seed} server=${r.server} members=${r.size} ${(r.durationMs / 1000).toFixed(0)} s`,
    `  operations ${r.operations} (ok ${r.outcomes.ok}, fail ${r.outcomes.fail}, unknown ${r.outcomes.unknown}; ${r.notSent} never sent); watch events ${r.watchEvents}, 401s ${r.watch401s}; checked in ${r.checkMs.toFixed(0)} ms`,
    `  faults ${r.faults.length}: ${faults || "none"}`,
    `  anomalies ${r.anomalies.length}${r.anomalies.length ? ":\n    " + r.anomalies.join("\n    ") : ""}`,
  ].join("\n");
}
