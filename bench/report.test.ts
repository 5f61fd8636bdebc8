// The bench's arithmetic: percentiles, wrk output parsing and the ratio table.
import { expect, test } from "bun:test";
import { percentile } from "./measure.ts";
import { markdownTable } from "./report.ts";
import { parseWrk } from "./wrk.ts";

const wrkOutput = `Running 1s test @ http://127.0.0.1:23790/v2/keys/k
  1 threads and 2 connections
  Latency Distribution
     50%  194.00us
     75%    1.05ms
     90%    4.95ms
     99%   72.88ms
  6847 requests in 1.08s, 2.62MB read
  Non-2xx or 3xx responses: 47
Requests/sec:   6347.38
`;

test("percentiles pick the nearest rank", () => {
  const xs = Array.from({ length: 100 }, (_, i) => i + 1);
  expect(percentile(xs, 50)).toBe(50);
  expect(percentile(xs, 99)).toBe(99);
  expect(percentile([7], 99)).toBe(7);
  expect(percentile([], 50)).toBeNaN();
});

test("wrk output: successes over the real elapsed time, units converted to ms, non-2xx as errors", () => {
  const m = parseWrk(wrkOutput, 1000);
  expect(m.requestsPerSec).toBeCloseTo(6800 / 1.08, 3);
  expect(m.p50Ms).toBeCloseTo(0.194, 6);
  expect(m.p99Ms).toBeCloseTo(72.88, 6);
  expect(m.errors).toBe(47);
});

test("the table shows etcbun/etcd ratios and why a side has no numbers", () => {
  const etcd = { requestsPerSec: 1000, p50Ms: 1, p99Ms: 4, errors: 0 };
  const etcbun = { requestsPerSec: 1500, p50Ms: 1, p99Ms: 2, errors: 0 };
  const table = markdownTable([
    { scenario: "1 member", op: "put", clients: 16, etcd, etcbun },
    { scenario: "1 member", op: "get", clients: 1, etcd, etcbun: "failed: no binary" },
  ]);
  expect(table).toContain("| 1 member | PUT | 16 | 1000 | 1.00 | 4.00 | 1500 | 1.00 | 2.00 | 1.50 | 0.50 |");
  expect(table).toContain("| 1 member | GET | 1 | 1000 | 1.00 | 4.00 | failed: no binary | - | - | - | - |");
});
