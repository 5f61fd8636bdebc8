// The same measurement through wrk (C, epoll) when it is installed: it needs far less CPU per
// request than a JavaScript client, which matters on a 2-core machine where the generator and the
// server share cores. Keys are chosen by a Lua script; non-2xx answers are counted as errors.
// wrk takes one URL, so a deployment with several client URLs gets one wrk per URL, run at the
// same time with the clients split between them; their latency distributions are merged from the
// quantiles each one prints.
import { spawn } from "bun";
import { rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { MeasureOptions } from "./measure.ts";
import type { Measurement, Op } from "./types.ts";

/** Quantiles each wrk prints, at 0.1% steps: fine enough that merged p99s stay exact to 0.1%. */
const QUANTILE_STEPS = 1000;

export function wrkPath(): string | null {
  return Bun.which("wrk") ?? null;
}

function luaScript(op: Op, opts: { keys: number; valueBytes: number }): string {
  const method = op === "put" ? `wrk.method = "PUT"
wrk.body = "value=" .. string.rep("v", ${opts.valueBytes})
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"` : "";
  const query = op === "qget" ? "?quorum=true" : "";
  return `${method}
local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, "/v2/keys/bench/k" .. ((n * 104729) % ${opts.keys}) .. "${query}")
end
done = function(summary, latency, requests)
  for i = 1, ${QUANTILE_STEPS} do
    io.write(string.format("Q %d %d\\n", i, latency:percentile(i * 100 / ${QUANTILE_STEPS})))
  end
end
`;
}

function toMs(v: string, unit: string): number {
  const n = Number(v);
  return unit === "us" ? n / 1000 : unit === "s" ? n * 1000 : n;
}

export function parseWrk(out: string, durationMs: number): Measurement {
  const pct = (p: string) => {
    const m = out.match(new RegExp(`^\\s*${p}%\\s+([\\d.]+)(us|ms|s)\\s*$`, "m"));
    return m ? toMs(m[1]!, m[2]!) : NaN;
  };
  const total = out.match(/(\d+) requests in ([\d.]+)(us|ms|s)/);
  const elapsedMs = total ? toMs(total[2]!, total[3]!) : durationMs;
  const non2xx = out.match(/Non-2xx or 3xx responses: (\d+)/);
  const socketErrors = out.match(/Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/);
  const errors = Number(non2xx?.[1] ?? 0) + (socketErrors ? socketErrors.slice(1).reduce((a, b) => a + Number(b), 0) : 0);
  const ok = Number(total?.[1] ?? 0) - Number(non2xx?.[1] ?? 0);
  return { requestsPerSec: ok / (elapsedMs / 1000), p50Ms: pct("50"), p99Ms: pct("99"), errors };
}

/** The latency quantiles (µs, ascending p) printed by the script's done(). */
export function parseQuantiles(out: string): number[] {
  return [...out.matchAll(/^Q (\d+) (\d+)$/gm)].map((m) => Number(m[2]));
}

export interface QuantilePart {
  /** How many requests this distribution stands for. */
  weight: number;
  quantilesUs: number[];
}

/** The p-th percentile of several distributions together, each given by evenly spaced quantiles. */
export function mergedPercentile(parts: QuantilePart[], p: number): number {
  const points = parts
    .filter((part) => part.weight > 0 && part.quantilesUs.length > 0)
    .flatMap((part) => part.quantilesUs.map((v) => ({ v, w: part.weight / part.quantilesUs.length })))
    .sort((a, b) => a.v - b.v);
  const total = points.reduce((s, x) => s + x.w, 0);
  if (total === 0) return NaN;
  const target = (p / 100) * total * (1 - 1e-9);
  let cumulative = 0;
  for (const x of points) {
    cumulative += x.w;
    if (cumulative >= target) return x.v;
  }
  return points[points.length - 1]!.v;
}

/** Clients per URL, round-robin, so URL i gets client i, i+n, i+2n... */
export function splitClients(clients: number, urlCount: number): number[] {
  return Array.from({ length: urlCount }, (_, i) => Math.floor(clients / urlCount) + (i < clients % urlCount ? 1 : 0));
}

/** wrk has no warm-up phase: run it once briefly first and discard that run. */
export async function measureWithWrk(urls: string[], op: Op, opts: MeasureOptions): Promise<Measurement> {
  const script = join(tmpdir(), `etcbun-bench-${process.pid}-${op}.lua`);
  writeFileSync(script, luaScript(op, opts));
  const targets = splitClients(opts.clients, urls.length)
    .map((clients, i) => ({ url: urls[i]!, clients }))
    .filter((t) => t.clients > 0);
  const threadsEach = Math.max(1, Math.ceil(opts.workers / targets.length));
  const runOne = async (t: { url: string; clients: number }, seconds: number) => {
    const threads = Math.min(threadsEach, t.clients);
    const proc = spawn([wrkPath()!, `-t${threads}`, `-c${t.clients}`, `-d${seconds}s`, "--latency", "-s", script, t.url], {
      stdout: "pipe",
      stderr: "pipe",
    });
    const out = await new Response(proc.stdout).text();
    await proc.exited;
    if (proc.exitCode !== 0) throw new Error(`wrk failed (${proc.exitCode}): ${await new Response(proc.stderr).text()}`);
    return out;
  };
  const runAll = (seconds: number) => Promise.all(targets.map((t) => runOne(t, seconds)));
  try {
    if (opts.warmupMs > 0) await runAll(Math.max(1, Math.round(opts.warmupMs / 1000)));
    const seconds = Math.max(1, Math.round(opts.durationMs / 1000));
    const outs = await runAll(seconds);
    const each = outs.map((out) => ({ m: parseWrk(out, seconds * 1000), quantilesUs: parseQuantiles(out) }));
    const parts = each.map((e) => ({ weight: e.m.requestsPerSec, quantilesUs: e.quantilesUs }));
    return {
      requestsPerSec: each.reduce((s, e) => s + e.m.requestsPerSec, 0),
      p50Ms: mergedPercentile(parts, 50) / 1000,
      p99Ms: mergedPercentile(parts, 99) / 1000,
      errors: each.reduce((s, e) => s + e.m.errors, 0),
    };
  } finally {
    rmSync(script, { force: true });
  }
}
