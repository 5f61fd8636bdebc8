// Declares one bun:test suite that runs a table of sequences on etcd and the target side by side.
// Steps listed in known-differences.ts must still differ; every other step must match.
import { describe, expect, test } from "bun:test";
import { etcdMissingReason } from "../../support/servers.ts";
import { knownDifferences } from "../known-differences.ts";
import { describeReq } from "./run.ts";
import { runOnPair, targetKind, usePair } from "./pair.ts";
import type { Sequence } from "./types.ts";

/** Splits the differences of one sequence into unexpected ones and the known steps that no longer differ. */
export function triage(sequence: string, differences: string[], requests: string[]): { unexpected: string[]; fixed: string[] } {
  const known = targetKind() === "etcbun" ? knownDifferences.filter((k) => k.sequence === sequence) : [];
  const isKnown = (d: string) => known.some((k) => d.split("\n")[0]!.endsWith(` ${k.request}:`));
  const fixed = known
    .filter((k) => requests.includes(k.request))
    .filter((k) => !differences.some((d) => d.split("\n")[0]!.endsWith(` ${k.request}:`)))
    .map((k) => `known difference now matches etcd, remove it from known-differences.ts: ${k.sequence} / ${k.request}`);
  const missing = known
    .filter((k) => !requests.includes(k.request))
    .map((k) => `known difference names a request that is not in the sequence: ${k.sequence} / ${k.request}`);
  return { unexpected: differences.filter((d) => !isKnown(d)), fixed: [...fixed, ...missing] };
}

function stepRequests(seq: Sequence): string[] {
  return seq.steps.map((s) => (s.do === "watch" ? `watch ${s.id}: ${describeReq(s)}` : s.do === undefined || s.do === "request" ? describeReq(s) : ""));
}

export function conformanceSuite(title: string, sequences: Sequence[]): void {
  const missing = etcdMissingReason();
  if (missing) {
    describe.skip(`${title} (${missing})`, () => {});
    return;
  }
  describe(`${title}: etcd 3.4 vs ${targetKind()}`, () => {
    const pair = usePair();
    for (const seq of sequences) {
      test(seq.name, async () => {
        const r = await runOnPair(pair(), seq);
        const { unexpected, fixed } = triage(seq.name, r.differences, stepRequests(seq));
        expect(r.failures).toEqual([]);
        expect(unexpected).toEqual([]);
        expect(fixed).toEqual([]);
      }, 60000);
    }
  });
}
