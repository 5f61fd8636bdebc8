// The two servers a conformance suite compares: real etcd (the reference) and the target —
// dist/etcbun, or a second etcd when CONFORMANCE_TARGET=etcd (validates the normalization:
// two etcds must always compare equal).
import { afterAll, beforeAll } from "bun:test";
import { startServer, type RunningServer } from "../../support/servers.ts";
import { compareRuns, runSequence, serverAliases, type StepComparison } from "./run.ts";
import type { Sequence } from "./types.ts";

export type Target = "etcbun" | "etcd";

export function targetKind(): Target {
  return process.env.CONFORMANCE_TARGET === "etcd" ? "etcd" : "etcbun";
}

export interface Pair {
  reference: RunningServer;
  target: RunningServer;
  refAliases: Map<string, string>;
  targetAliases: Map<string, string>;
  stop(): Promise<void>;
}

export async function startPair(): Promise<Pair> {
  const [reference, target] = await Promise.allSettled([startServer("etcd"), startServer(targetKind())]);
  if (reference.status === "rejected" || target.status === "rejected") {
    if (reference.status === "fulfilled") await reference.value.stop();
    if (target.status === "fulfilled") await target.value.stop();
    throw reference.status === "rejected" ? reference.reason : (target as PromiseRejectedResult).reason;
  }
  const [refAliases, targetAliases] = await Promise.all([serverAliases(reference.value), serverAliases(target.value)]);
  return {
    reference: reference.value,
    target: target.value,
    refAliases,
    targetAliases,
    async stop() {
      await Promise.all([reference.value.stop(), target.value.stop()]);
    },
  };
}

/** Starts the pair before the enclosing describe's tests and stops it after them. */
export function usePair(): () => Pair {
  let pair: Pair | undefined;
  beforeAll(async () => {
    pair = await startPair();
  }, 40000);
  afterAll(async () => {
    await pair?.stop();
  });
  return () => {
    if (!pair) throw new Error("servers did not start");
    return pair;
  };
}

export interface PairResult {
  /** Every compared step; `lines` says how etcd and the target differ there. */
  steps: StepComparison[];
  /** `expect` mismatches on either side. */
  failures: string[];
}

/** Runs the sequence on both servers at once; an `etcdBug` sequence is only checked on the target. */
export async function runOnPair(pair: Pair, seq: Sequence): Promise<PairResult> {
  if (seq.etcdBug) {
    // Checked against our documented behaviour only; meaningless when the target is etcd too.
    if (targetKind() === "etcd") return { steps: [], failures: [] };
    const mine = await runSequence(pair.target, seq, pair.targetAliases);
    return { steps: [], failures: mine.failures };
  }
  const [ref, mine] = await Promise.all([
    runSequence(pair.reference, seq, pair.refAliases),
    runSequence(pair.target, seq, pair.targetAliases),
  ]);
  return {
    steps: compareRuns(ref.observations, mine.observations),
    failures: [...ref.failures.map((f) => `etcd: ${f}`), ...mine.failures.map((f) => `${targetKind()}: ${f}`)],
  };
}
