// One measurement: N keep-alive clients spread over worker processes hammer a deployment with PUTs
// or GETs for a fixed window after a warm-up; throughput and latency percentiles are merged.
import { spawn } from "bun";
import { join } from "node:path";
import type { LoadResult, Measurement, Op, WorkerSpec } from "./types.ts";

export interface MeasureOptions {
  clients: number;
  warmupMs: number;
  durationMs: number;
  /** Load-generator processes; more than the cores the server leaves free only adds noise. */
  workers: number;
  keys: number;
  valueBytes: number;
}

const workerScript = join(import.meta.dir, "load-worker.ts");

/** The middle value (the mean of the middle two for an even count); NaN for none. Sorts a copy. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function percentile(sortedUs: number[], p: number): number {
  if (sortedUs.length === 0) return NaN;
  const i = Math.min(sortedUs.length - 1, Math.max(0, Math.ceil((p / 100) * sortedUs.length) - 1));
  return sortedUs[i]!;
}

/**
 * Key k's value: `valueBytes` bytes that begin with k, so no two keys hold the same value. (With
 * one value for every key, a store that happens to share equal strings, as JavaScriptCore's
 * JSON.parse does through its string cache, would look smaller than it is.)
 */
export function distinctValue(k: number, valueBytes: number): string {
  return `${k}-`.padEnd(valueBytes, "v").slice(0, valueBytes);
}

/** Writes every key once so GETs find values (a miss would measure the error path). */
export async function populate(urls: string[], opts: { keys: number; valueBytes: number; concurrency?: number }): Promise<void> {
  let next = 0;
  const writer = async () => {
    while (next < opts.keys) {
      const k = next++;
      const r = await fetch(`${urls[k % urls.length]}/v2/keys/bench/k${k}`, {
        method: "PUT",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: `value=${distinctValue(k, opts.valueBytes)}`,
      });
      await r.arrayBuffer();
      if (r.status >= 300) throw new Error(`populate: PUT k${k} → ${r.status}`);
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency ?? 16 }, writer));
}

async function runWorker(spec: WorkerSpec): Promise<LoadResult> {
  const proc = spawn([process.execPath, workerScript, JSON.stringify(spec)], { stdout: "pipe", stderr: "pipe" });
  const [out, err] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  await proc.exited;
  if (proc.exitCode !== 0) throw new Error(`load worker failed (${proc.exitCode}): ${err.slice(-2000)}`);
  return JSON.parse(out) as LoadResult;
}

export async function measure(urls: string[], op: Op, opts: MeasureOptions): Promise<Measurement> {
  const workers = Math.max(1, Math.min(opts.workers, opts.clients));
  // Workers need a moment to start; the window is absolute so they all measure the same span.
  const measureFromMs = Date.now() + 400 + opts.warmupMs;
  const endAtMs = measureFromMs + opts.durationMs;
  const specs: WorkerSpec[] = [];
  for (let w = 0, offset = 0; w < workers; w++) {
    const clients = Math.floor(opts.clients / workers) + (w < opts.clients % workers ? 1 : 0);
    specs.push({ urls, op, clients, clientOffset: offset, keys: opts.keys, valueBytes: opts.valueBytes, measureFromMs, endAtMs });
    offset += clients;
  }
  const results = await Promise.all(specs.map(runWorker));
  const latencies = results.flatMap((r) => r.latenciesUs).sort((a, b) => a - b);
  const ok = results.reduce((n, r) => n + r.ok, 0);
  return {
    requestsPerSec: ok / (opts.durationMs / 1000),
    p50Ms: percentile(latencies, 50) / 1000,
    p99Ms: percentile(latencies, 99) / 1000,
    errors: results.reduce((n, r) => n + r.errors, 0),
  };
}
