// One load-generating process: `clients` keep-alive clients issue back-to-back requests against
// the given URLs until the window closes, then print a JSON LoadResult on stdout. bench/run.ts
// starts several of these so the generator is not the bottleneck.
//
// Usage: bun bench/load-worker.ts '<json WorkerSpec>'
import type { LoadResult, WorkerSpec } from "./types.ts";

const spec = JSON.parse(process.argv[2]!) as WorkerSpec;
const value = "v".repeat(spec.valueBytes);
const body = `value=${value}`;
const formHeaders = { "Content-Type": "application/x-www-form-urlencoded" };

function keyUrl(client: number, i: number): string {
  const url = spec.urls[(client + i) % spec.urls.length]!;
  // Spread keys deterministically over the key space; no Math.random so runs repeat.
  const k = (client * 7919 + i * 104729) % spec.keys;
  return `${url}/v2/keys/bench/k${k}${spec.op === "qget" ? "?quorum=true" : ""}`;
}

async function one(client: number, i: number): Promise<boolean> {
  const url = keyUrl(client, i);
  const r = spec.op === "put" ? await fetch(url, { method: "PUT", headers: formHeaders, body }) : await fetch(url);
  await r.arrayBuffer();
  return r.status < 300;
}

const latenciesUs: number[] = [];
let ok = 0;
let errors = 0;

async function client(c: number): Promise<void> {
  for (let i = 0; Date.now() < spec.endAtMs; i++) {
    const t0 = performance.now();
    let good = false;
    try {
      good = await one(c, i);
    } catch {
      good = false;
    }
    const now = Date.now();
    if (now < spec.measureFromMs || now > spec.endAtMs) continue;
    if (good) {
      ok++;
      latenciesUs.push(Math.round((performance.now() - t0) * 1000));
    } else errors++;
  }
}

await Promise.all(Array.from({ length: spec.clients }, (_, c) => client(spec.clientOffset + c)));
const result: LoadResult = { ok, errors, windowMs: spec.endAtMs - spec.measureFromMs, latenciesUs };
process.stdout.write(JSON.stringify(result));
