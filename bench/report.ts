// Markdown tables of the benchmarks: etcbun beside etcd, with ratios (etcbun/etcd).
import type { MemoryOptions, MemoryResult } from "./memory.ts";
import { median } from "./measure.ts";
import type { Measurement } from "./types.ts";

export interface Row {
  scenario: string;
  op: string;
  clients: number;
  etcd: Measurement | string;
  etcbun: Measurement | string;
  /**
   * With several rounds: each round's measurements, etcd's and etcbun's of the same round paired
   * (the row's etcd and etcbun are then the per-field medians of these).
   */
  rounds?: { etcd: Measurement | string; etcbun: Measurement | string }[];
}

/**
 * Per-field medians of several rounds' measurements of one row (throughput, p50 and p99 each
 * their own median; errors summed, so an error in any round shows); a string (why a side has no
 * numbers) when no round measured it.
 */
export function medianOf(ms: (Measurement | string)[]): Measurement | string {
  const ok = ms.filter((m): m is Measurement => typeof m !== "string");
  if (ok.length === 0) return ms.find((m) => typeof m === "string") ?? "not run";
  return {
    requestsPerSec: median(ok.map((m) => m.requestsPerSec)),
    p50Ms: median(ok.map((m) => m.p50Ms)),
    p99Ms: median(ok.map((m) => m.p99Ms)),
    errors: ok.reduce((n, m) => n + m.errors, 0),
  };
}

const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : "-");

function cells(m: Measurement | string): string[] {
  if (typeof m === "string") return [m, "-", "-"];
  const errors = m.errors ? ` (${m.errors} err)` : "";
  return [`${fmt(m.requestsPerSec)}${errors}`, fmt(m.p50Ms, 2), fmt(m.p99Ms, 2)];
}

function ratioOf(a: Measurement | string, b: Measurement | string, pick: (m: Measurement) => number): number {
  if (typeof a === "string" || typeof b === "string") return NaN;
  return pick(b) / pick(a);
}

function ratio(a: Measurement | string, b: Measurement | string, pick: (m: Measurement) => number): string {
  const r = ratioOf(a, b, pick);
  return Number.isFinite(r) ? r.toFixed(2) : "-";
}

/** The lowest and highest of the rounds' own etcbun/etcd ratios, e.g. "1.48-1.91". */
function ratioRange(rounds: NonNullable<Row["rounds"]>, pick: (m: Measurement) => number): string {
  const rs = rounds.map((r) => ratioOf(r.etcd, r.etcbun, pick)).filter(Number.isFinite);
  if (rs.length === 0) return "-";
  return `${Math.min(...rs).toFixed(2)}-${Math.max(...rs).toFixed(2)}`;
}

/**
 * One line per row. Rows measured in several rounds show the medians, their ratios, and two more
 * columns: the range of the rounds' own ratios (round i's etcbun over round i's etcd).
 */
export function markdownTable(rows: Row[]): string {
  const multi = rows.some((r) => (r.rounds?.length ?? 0) > 1);
  const head = [
    `| scenario | op | clients | etcd req/s | etcd p50 ms | etcd p99 ms | etcbun req/s | etcbun p50 ms | etcbun p99 ms | req/s ratio | p99 ratio |${multi ? " req/s ratio per round | p99 ratio per round |" : ""}`,
    `|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|${multi ? "---:|---:|" : ""}`,
  ];
  const throughput = (m: Measurement) => m.requestsPerSec;
  const p99 = (m: Measurement) => m.p99Ms;
  const body = rows.map((r) =>
    [
      "",
      r.scenario,
      r.op === "qget" ? "GET quorum" : r.op.toUpperCase(),
      String(r.clients),
      ...cells(r.etcd),
      ...cells(r.etcbun),
      ratio(r.etcd, r.etcbun, throughput),
      ratio(r.etcd, r.etcbun, p99),
      ...(multi ? [ratioRange(r.rounds ?? [], throughput), ratioRange(r.rounds ?? [], p99)] : []),
      "",
    ].join(" | ").trim(),
  );
  return [...head, ...body].join("\n");
}

export interface MemoryRow extends MemoryOptions {
  etcd: MemoryResult | string;
  etcbun: MemoryResult | string;
}

const mib = (kib: number) => fmt(kib / 1024, 1);

export function memoryTable(r: MemoryRow): string {
  const line = (label: string, pick: (m: MemoryResult) => number, show: (n: number) => string) => {
    const side = (m: MemoryResult | string) => (typeof m === "string" ? m : show(pick(m)));
    const ratio = typeof r.etcd === "string" || typeof r.etcbun === "string" ? "-" : fmt(pick(r.etcbun) / pick(r.etcd), 2);
    return `| ${label} | ${side(r.etcd)} | ${side(r.etcbun)} | ${ratio} |`;
  };
  return [
    "| 1 member | etcd | etcbun | ratio |",
    "|---|---:|---:|---:|",
    line("RSS idle, MiB", (m) => m.idleKiB, mib),
    line(`RSS ${r.settleMs / 1000} s after ${r.keys} PUTs of ${r.valueBytes}-byte values (a value per key), MiB`, (m) => m.loadedKiB, mib),
    line(`time to write them with ${r.writers} clients, s`, (m) => m.writeSeconds, (n) => fmt(n, 1)),
  ].join("\n");
}
