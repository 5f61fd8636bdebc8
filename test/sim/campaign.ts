// Long simulation campaigns: `npm run sim -- --seeds 100000 --first-seed S [--nodes 3|5]`.
// Prints runs/s, faults injected and invariant checks made; exits non-zero on any failure,
// listing the failing seeds (each replays with --seeds 1 --first-seed N).
import { formatFailure, runSeed } from "./run.ts";

function flag(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  if (at < 0) return fallback;
  const v = Number(process.argv[at + 1]);
  if (!Number.isInteger(v)) throw new Error(`--${name} needs an integer`);
  return v;
}

const seeds = flag("seeds", 1000);
const firstSeed = flag("first-seed", 1);
const nodes = flag("nodes", 0);
const quiet = process.argv.includes("--quiet");

const started = performance.now();
const faults: Record<string, number> = {};
let checks = 0;
let messages = 0;
let ticks = 0;
const failed: number[] = [];
for (let i = 0; i < seeds; i++) {
  const seed = firstSeed + i;
  const r = runSeed(seed, nodes ? { nodeCount: nodes } : {});
  for (const [k, v] of Object.entries(r.stats.faults)) faults[k] = (faults[k] ?? 0) + v;
  checks += r.stats.checks;
  messages += r.stats.messages;
  ticks += r.stats.ticks;
  if (!r.ok) {
    failed.push(seed);
    console.error(failed.length <= 3 ? formatFailure(r) : `FAILED seed=${seed}: ${r.error}`);
  }
  if (!quiet && (i + 1) % 1000 === 0) {
    const secs = (performance.now() - started) / 1000;
    console.log(`${i + 1}/${seeds} runs, ${((i + 1) / secs).toFixed(1)} runs/s, ${failed.length} failed`);
  }
}
const secs = (performance.now() - started) / 1000;
console.log(`seeds ${firstSeed}..${firstSeed + seeds - 1}: ${seeds} runs in ${secs.toFixed(1)}s (${(seeds / secs).toFixed(1)} runs/s)`);
console.log(`ticks simulated: ${ticks}, messages sent: ${messages}, invariant checks: ${checks}`);
console.log(`faults injected: ${Object.entries(faults).sort().map(([k, v]) => `${k}=${v}`).join(" ")}`);
if (failed.length > 0) {
  console.log(`FAILED seeds (${failed.length}): ${failed.join(" ")}`);
  process.exit(1);
}
console.log("all runs passed");
