// The CI simulation campaign: 2,000 seeded runs of 3 and 5 nodes (the seed's parity picks the
// size) under every fault, plus the regression seeds. Longer campaigns: `npm run sim`.
import { describe, expect, test } from "bun:test";
import { REGRESSION_SEEDS } from "./regressions.ts";
import { formatFailure, runSeed } from "./run.ts";

const CI_SEEDS = 2000;
const CHUNK = 250;

function runRange(first: number, count: number): string[] {
  const failures: string[] = [];
  for (let seed = first; seed < first + count; seed++) {
    const r = runSeed(seed);
    if (!r.ok) failures.push(formatFailure(r));
  }
  return failures;
}

describe("raft simulation", () => {
  for (let first = 1; first <= CI_SEEDS; first += CHUNK) {
    test(`seeds ${first}..${first + CHUNK - 1}`, () => {
      const failures = runRange(first, CHUNK);
      if (failures.length > 0) console.error(failures.slice(0, 2).join("\n\n"));
      expect(failures.map((f) => f.split("\n")[0])).toEqual([]);
    }, 600_000);
  }

  test("regression seeds, each with 3 and with 5 nodes", () => {
    const failures: string[] = [];
    for (const { seed } of REGRESSION_SEEDS) {
      for (const nodeCount of [3, 5]) {
        const r = runSeed(seed, { nodeCount });
        if (!r.ok) failures.push(formatFailure(r));
      }
    }
    expect(failures.map((f) => f.split("\n")[0])).toEqual([]);
  }, 600_000);

  test("a run is a pure function of its seed", () => {
    const a = runSeed(4242);
    const b = runSeed(4242);
    expect(a.ok).toBe(true);
    expect(b.stats).toEqual(a.stats);
    expect(a.stats.faults.heal).toBe(1);
  });
});
