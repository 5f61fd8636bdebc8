// Declares one bun:test suite that runs a table of sequences on etcd and the target side by side.
// Steps listed in known-differences.ts must still differ; every other step must match.
import { describe, expect, test } from "bun:test";
import { etcdMissingReason } from "../../support/servers.ts";
import { knownDifferences, verdict } from "../known-differences.ts";
import { runOnPair, targetKind, usePair } from "./pair.ts";
import type { Sequence } from "./types.ts";

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
        const problems: string[] = [];
        for (const c of r.steps) {
          const problem = verdict(seq.name, c.what, c.lines.length > 0, `step ${c.step} ${c.what}:\n    ${c.lines.join("\n    ")}`);
          if (problem) problems.push(problem);
        }
        const named = new Set(r.steps.map((c) => c.what));
        for (const k of knownDifferences) {
          if (k.sequence === seq.name && r.steps.length > 0 && !named.has(k.request)) {
            problems.push(`known difference names a step that is not in the sequence: ${k.sequence} / ${k.request}`);
          }
        }
        expect(r.failures).toEqual([]);
        expect(problems).toEqual([]);
      }, 60000);
    }
  });
}
