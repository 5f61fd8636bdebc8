// Markdown tables of the benchmarks: etcbun beside etcd, with ratios (etcbun/etcd).
import type { MemoryResult } from "./memory.ts";
import type { Measurement } from "./types.ts";

export interface Row {
  scenario: string;
  op: string;
  clients: number;
  etcd: Measurement | string;
  etcbun: Measurement | string;
}

const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : "-");

function cells(m: Measurement | string): string[] {
  if (typeof m === "string") return [m, "-", "-"];
  const errors = m.errors ? ` (${m.errors} err)` : "";
  return [`${fmt(m.requestsPerSec)}${errors}`, fmt(m.p50Ms, 2), fmt(m.p99Ms, 2)];
}

function ratio(a: Measurement | string, b: Measurement | string, pick: (m: Measurement) => number): string {
  if (typeof a === "string" || typeof b === "string") return "-";
  const r = pick(b) / pick(a);
  return Number.isFinite(r) ? r.toFixed(2) : "-";
}

export function markdownTable(rows: Row[]): string {
  const head = [
    "| scenario | op | clients | etcd req/s | etcd p50 ms | etcd p99 ms | etcbun req/s | etcbun p50 ms | etcbun p99 ms | req/s ratio | p99 ratio |",
    "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
  ];
  const body = rows.map((r) =>
    [
      "",
      r.scenario,
      r.op === "qget" ? "GET quorum" : r.op.toUpperCase(),
      String(r.clients),
      ...cells(r.etcd),
      ...cells(r.etcbun),
      ratio(r.etcd, r.etcbun, (m) => m.requestsPerSec),
      ratio(r.etcd, r.etcbun, (m) => m.p99Ms),
      "",
    ].join(" | ").trim(),
  );
  return [...head, ...body].join("\n");
}

export interface MemoryRow {
  keys: number;
  valueBytes: number;
  writers: number;
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
    line(`RSS after ${r.keys} PUTs of ${r.valueBytes}-byte values, MiB`, (m) => m.loadedKiB, mib),
    line(`time to write them with ${r.writers} clients, s`, (m) => m.writeSeconds, (n) => fmt(n, 1)),
  ].join("\n");
}
