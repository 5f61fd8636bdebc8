// The bench's arithmetic: percentiles, wrk output parsing and the ratio table.
import { expect, test } from "bun:test";
import { percentile } from "./measure.ts";
import { markdownTable, medianOf, memoryTable } from "./report.ts";
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

test("3-member quorum GETs are labelled as such", () => {
  const m = { requestsPerSec: 100, p50Ms: 1, p99Ms: 2, errors: 0 };
  expect(markdownTable([{ scenario: "3 members", op: "qget", clients: 64, etcd: m, etcbun: m }])).toContain("| 3 members | GET quorum | 64 |");
});

test("memory table: MiB from KiB and etcbun/etcd ratios; a failed side shows why", () => {
  const etcd = { idleKiB: 20 * 1024, loadedKiB: 100 * 1024, writeSeconds: 10 };
  const etcbun = { idleKiB: 40 * 1024, loadedKiB: 150 * 1024, writeSeconds: 5 };
  const table = memoryTable({ keys: 100000, valueBytes: 256, writers: 64, settleMs: 3000, etcd, etcbun });
  expect(table).toContain("| RSS idle, MiB | 20.0 | 40.0 | 2.00 |");
  expect(table).toContain("| RSS 3 s after 100000 PUTs of 256-byte values (a value per key), MiB | 100.0 | 150.0 | 1.50 |");
  expect(table).toContain("| time to write them with 64 clients, s | 10.0 | 5.0 | 0.50 |");
  const failed = memoryTable({ keys: 10, valueBytes: 256, writers: 64, settleMs: 3000, etcd, etcbun: "failed: boom" });
  expect(failed).toContain("| RSS idle, MiB | 20.0 | failed: boom | - |");
});

test("several rounds: medians per field, the medians' ratio, and the range of the rounds' own ratios", () => {
  const m = (requestsPerSec: number, p99Ms: number) => ({ requestsPerSec, p50Ms: p99Ms / 4, p99Ms, errors: 0 });
  const etcdRounds = [m(1000, 4), m(1200, 2), m(900, 3)];
  const etcbunRounds = [m(1800, 2), m(1500, 2), m(2000, 1)];
  expect(medianOf(etcdRounds)).toEqual({ requestsPerSec: 1000, p50Ms: 0.75, p99Ms: 3, errors: 0 });
  expect(medianOf([m(1, 1), m(3, 5)])).toMatchObject({ requestsPerSec: 2, p99Ms: 3 });
  expect(medianOf(["failed: boom", m(10, 1)])).toMatchObject({ requestsPerSec: 10 });
  expect(medianOf(["failed: boom", "not run"])).toBe("failed: boom");
  const table = markdownTable([
    {
      scenario: "3 members",
      op: "put",
      clients: 64,
      etcd: medianOf(etcdRounds),
      etcbun: medianOf(etcbunRounds),
      rounds: etcdRounds.map((e, i) => ({ etcd: e, etcbun: etcbunRounds[i]! })),
    },
  ]);
  expect(table).toContain("| req/s ratio per round | p99 ratio per round |");
  // Medians 1000 and 1800 (ratio 1.80); the rounds' own ratios 1.80, 1.25, 2.22; p99 0.50, 1.00, 0.33.
  expect(table).toContain("| 3 members | PUT | 64 | 1000 | 0.75 | 3.00 | 1800 | 0.50 | 2.00 | 1.80 | 0.67 | 1.25-2.22 | 0.33-1.00 |");
});
