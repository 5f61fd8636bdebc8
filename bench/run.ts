// `npm run bench` — keys API throughput and latency, etcbun beside etcd 3.4 started the same way in
// the same run: PUT and GET with 1, 16 and 64 concurrent keep-alive clients, as a markdown table.
//
//   bun bench/run.ts [--quick] [--duration-ms N] [--clients 1,16,64] [--ops put,get]
//                    [--only etcd|etcbun] [--workers N] [--generator wrk|bun]
//
// --quick: short windows, for smoke-testing the bench itself.
// --generator: wrk when installed (cheapest per request), else Bun worker processes; deployments
// with several client URLs always use the Bun workers, which spread requests over all of them.
import { parseArgs } from "node:util";
import { etcdPath } from "../test/support/servers.ts";
import { measure, populate, type MeasureOptions } from "./measure.ts";
import { markdownTable, type Row } from "./report.ts";
import { scenarios } from "./scenarios.ts";
import type { Deployment, Measurement, Op } from "./types.ts";
import { measureWithWrk, wrkPath } from "./wrk.ts";

const { values: args } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    "duration-ms": { type: "string" },
    clients: { type: "string", default: "1,16,64" },
    ops: { type: "string", default: "put,get" },
    only: { type: "string" },
    workers: { type: "string", default: "2" },
    generator: { type: "string" },
  },
});

const generator = args.generator ?? (wrkPath() ? "wrk" : "bun");
if (generator === "wrk" && !wrkPath()) {
  console.error("--generator wrk: wrk is not installed (apt-get install wrk)");
  process.exit(1);
}

function load(urls: string[], op: Op, opts: MeasureOptions): Promise<Measurement> {
  return generator === "wrk" && urls.length === 1 ? measureWithWrk(urls, op, opts) : measure(urls, op, opts);
}

const durationMs = Number(args["duration-ms"] ?? (args.quick ? 1000 : 5000));
const base: Omit<MeasureOptions, "clients"> = {
  warmupMs: args.quick ? 200 : 1000,
  durationMs,
  workers: Number(args.workers),
  keys: args.quick ? 200 : 1000,
  valueBytes: 64,
};
const clientCounts = args.clients.split(",").map(Number);
const ops = args.ops.split(",") as Op[];
const kinds = (["etcd", "etcbun"] as const).filter((k) => !args.only || args.only === k);

if (kinds.includes("etcd") && !etcdPath()) {
  console.error("etcd is not installed (apt-get install etcd-server); the comparison needs it");
  process.exit(1);
}

const rows: Row[] = [];
for (const scenario of scenarios) {
  const results = new Map<string, Measurement | string>();
  // One kind at a time: on a small machine two servers would steal each other's CPU.
  for (const kind of kinds) {
    let dep: Deployment | undefined;
    try {
      dep = await scenario.start(kind);
      await populate(dep.clientURLs, base);
      for (const op of ops) {
        for (const clients of clientCounts) {
          const m = await load(dep.clientURLs, op, { ...base, clients });
          results.set(`${op}/${clients}/${kind}`, m);
          console.error(`${scenario.name} ${kind} ${op} x${clients}: ${m.requestsPerSec.toFixed(0)} req/s, p99 ${m.p99Ms.toFixed(2)} ms`);
        }
      }
    } catch (err) {
      const why = `failed: ${String(err).split("\n")[0]}`;
      console.error(`${scenario.name} ${kind}: ${String(err)}`);
      for (const op of ops) for (const clients of clientCounts) if (!results.has(`${op}/${clients}/${kind}`)) results.set(`${op}/${clients}/${kind}`, why);
    } finally {
      await dep?.stop();
    }
  }
  for (const op of ops) {
    for (const clients of clientCounts) {
      rows.push({
        scenario: scenario.name,
        op,
        clients,
        etcd: results.get(`${op}/${clients}/etcd`) ?? "not run",
        etcbun: results.get(`${op}/${clients}/etcbun`) ?? "not run",
      });
    }
  }
}

console.log(`\nkeys API, ${durationMs} ms windows, ${base.valueBytes}-byte values, ${base.keys} keys, load from ${generator} (${base.workers} ${generator === "wrk" ? "threads" : "processes"})\n`);
console.log(markdownTable(rows));
