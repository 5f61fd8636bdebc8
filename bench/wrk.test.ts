// Several wrk runs (one per client URL) merged into one measurement.
import { expect, test } from "bun:test";
import { mergedPercentile, parseQuantiles, splitClients } from "./wrk.ts";

test("clients are split round-robin over the URLs", () => {
  expect(splitClients(256, 3)).toEqual([86, 85, 85]);
  expect(splitClients(1, 3)).toEqual([1, 0, 0]);
  expect(splitClients(64, 1)).toEqual([64]);
});

test("the quantile lines printed by the Lua done() are read in order", () => {
  expect(parseQuantiles("Running 1s test\nQ 1 120\nQ 2 130\n  99% 3.00ms\nQ 3 900\n")).toEqual([120, 130, 900]);
});

test("merged percentiles weigh each run by its request count", () => {
  const steps = (f: (p: number) => number) => Array.from({ length: 100 }, (_, i) => f((i + 1) / 100));
  const one = { weight: 1000, quantilesUs: steps((p) => Math.round(p * 100)) };
  // A single run keeps its own percentiles.
  expect(mergedPercentile([one], 50)).toBe(50);
  expect(mergedPercentile([one], 99)).toBe(99);
  // A fast busy run and a slow idle run: the median follows the busy one, the tail the slow one.
  const fast = { weight: 9000, quantilesUs: steps(() => 100) };
  const slow = { weight: 1000, quantilesUs: steps(() => 5000) };
  expect(mergedPercentile([fast, slow], 50)).toBe(100);
  expect(mergedPercentile([fast, slow], 90)).toBe(100);
  expect(mergedPercentile([fast, slow], 91)).toBe(5000);
  expect(mergedPercentile([fast, { weight: 0, quantilesUs: [] }], 99)).toBe(100);
  expect(mergedPercentile([], 50)).toBeNaN();
});
