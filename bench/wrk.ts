// The same measurement through wrk (C, epoll) when it is installed: it needs far less CPU per
// request than a JavaScript client, which matters on a 2-core machine where the generator and the
// server share cores. Keys are chosen by a Lua script; non-2xx answers are counted as errors.
import { spawn } from "bun";
import { rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { MeasureOptions } from "./measure.ts";
import type { Measurement, Op } from "./types.ts";

export function wrkPath(): string | null {
  return Bun.which("wrk") ?? null;
}

function luaScript(op: Op, opts: { keys: number; valueBytes: number }): string {
  const method = op === "put" ? `wrk.method = "PUT"
wrk.body = "value=" .. string.rep("v", ${opts.valueBytes})
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"` : "";
  return `${method}
local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, "/v2/keys/bench/k" .. ((n * 104729) % ${opts.keys}))
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

/** wrk has no warm-up phase: run it once briefly first and discard that run. */
export async function measureWithWrk(urls: string[], op: Op, opts: MeasureOptions): Promise<Measurement> {
  const script = join(tmpdir(), `etcbun-bench-${process.pid}-${op}.lua`);
  writeFileSync(script, luaScript(op, opts));
  const threads = Math.max(1, Math.min(opts.workers, opts.clients));
  const run = async (ms: number) => {
    const proc = spawn(
      [wrkPath()!, `-t${threads}`, `-c${opts.clients}`, `-d${Math.max(1, Math.round(ms / 1000))}s`, "--latency", "-s", script, urls[0]!],
      { stdout: "pipe", stderr: "pipe" },
    );
    const out = await new Response(proc.stdout).text();
    await proc.exited;
    if (proc.exitCode !== 0) throw new Error(`wrk failed (${proc.exitCode}): ${await new Response(proc.stderr).text()}`);
    return out;
  };
  try {
    if (opts.warmupMs > 0) await run(opts.warmupMs);
    const seconds = Math.max(1, Math.round(opts.durationMs / 1000));
    return parseWrk(await run(seconds * 1000), seconds * 1000);
  } finally {
    rmSync(script, { force: true });
  }
}
