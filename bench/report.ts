// Markdown table of the keys benchmark: etcbun beside etcd, with ratios (etcbun/etcd).
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
      r.op.toUpperCase(),
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
