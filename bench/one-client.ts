// The keys benchmark's one-client rows, measured by bench/one-client.c: one blocking keep-alive
// connection, a monotonic clock read around each request's write and the end of its response.
//
// Why not wrk for these rows: on the 2-core benchmark VM, wrk's own latency histogram at one
// connection does not agree with its own socket calls. Timing wrk's write() and read() from
// inside its process (an LD_PRELOAD shim, the same run) gave p99 0.25-0.31 ms against a trivial
// Bun.serve handler while wrk reported 0.96-1.23 ms, and 0.89-1.34 ms against 3-member clusters
// (etcd and etcbun alike) while wrk reported 2.45-4.12 ms. It also reports requests of 10 us, and
// its mean latency times its request count exceeds the run's length, which one connection
// cannot do. The blocking client agrees with the shim's timings and with the server's own
// response-to-response times. Many-client rows stay on wrk: their latencies are mostly queueing.
import { spawn, spawnSync } from "bun";
import { existsSync, mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { type MeasureOptions, percentile } from "./measure.ts";
import type { Measurement, Op } from "./types.ts";
import { parseQuantiles } from "./wrk.ts";

const SOURCE = join(import.meta.dir, "one-client.c");
const BINARY = join(import.meta.dir, "..", "test-output", "one-client");

let built: string | null | undefined;

/** The compiled client, built once per process with the system's C compiler when missing or older than its source; null without one. */
export function oneClientPath(): string | null {
  if (built !== undefined) return built;
  if (existsSync(BINARY) && statSync(BINARY).mtimeMs >= statSync(SOURCE).mtimeMs) return (built = BINARY);
  const cc = Bun.which("cc") ?? Bun.which("gcc");
  if (cc === null) return (built = null);
  mkdirSync(join(BINARY, ".."), { recursive: true });
  const compiled = spawnSync([cc, "-O2", "-o", BINARY, SOURCE], { stderr: "pipe" });
  if (compiled.exitCode !== 0) throw new Error(`building ${SOURCE} failed: ${compiled.stderr.toString()}`);
  return (built = BINARY);
}

export interface OneClientResult extends Measurement {
  requests: number;
  windowMs: number;
  /** All counted requests' latencies added up: with one connection, never more than the window. */
  latencySumMs: number;
  quantilesUs: number[];
}

export function parseOneClient(out: string): OneClientResult {
  const field = (name: string) => {
    const m = out.match(new RegExp(`^${name} (\\d+)$`, "m"));
    if (!m) throw new Error(`one-client printed no ${name}: ${out.slice(0, 200)}`);
    return Number(m[1]);
  };
  const requests = field("requests");
  const windowMs = field("window_us") / 1000;
  const quantilesUs = parseQuantiles(out);
  const at = (p: number) => percentile(quantilesUs, p) / 1000;
  return { requests, windowMs, latencySumMs: field("latency_sum_us") / 1000, quantilesUs, requestsPerSec: requests / (windowMs / 1000), p50Ms: at(50), p99Ms: at(99), errors: field("errors") };
}

/** One client against the first URL, after `warmupMs` of unrecorded requests on the same connection. */
export async function measureOneClient(url: string, op: Op, opts: Omit<MeasureOptions, "clients" | "workers">): Promise<OneClientResult> {
  const binary = oneClientPath();
  if (binary === null) throw new Error("no C compiler (cc) to build bench/one-client.c; apt-get install gcc, or pass --one-client generator");
  const u = new URL(url);
  const args = [u.hostname.replace(/^\[|\]$/g, ""), u.port, op, String(opts.keys), String(opts.valueBytes), String(opts.warmupMs), String(opts.durationMs)];
  const proc = spawn([binary, ...args], { stdout: "pipe", stderr: "pipe" });
  const out = await new Response(proc.stdout).text();
  await proc.exited;
  if (proc.exitCode !== 0) throw new Error(`one-client failed (${proc.exitCode}): ${await new Response(proc.stderr).text()}`);
  return parseOneClient(out);
}
