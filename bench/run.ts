// `npm run bench` — keys API throughput and latency, etcbun beside etcd 3.4 started the same way in
// the same run, as markdown tables (printed and written to test-output/bench.md):
//   1 member:  PUT and GET at 1, 16 and 64 concurrent keep-alive clients;
//   3 members: PUT at 1, 16, 64 and 256 clients, GET and quorum GET at 64, clients spread over
//              all members' client URLs round-robin from the leader (1 client: the leader);
//   memory:    RSS of a single member idle and after writing 100,000 keys of 256-byte values.
//
//   bun bench/run.ts [--quick] [--rounds N] [--only 1-member,3-member,memory] [--server etcd|etcbun]
//                    [--duration-ms N] [--clients 1,64] [--ops put,get,qget] [--memory-keys N]
//                    [--workers N] [--generator wrk|bun] [--out test-output/bench.md] [--settle-ms N]
//                    [--one-client direct|generator]
//
// --quick: short windows, one round and 10,000 keys for memory, for smoke-testing the bench itself.
// --rounds: how many times each scenario is measured (default 3), a fresh deployment of each
// server per round, etcd first in odd rounds and etcbun first in even ones; the table shows each
// row's medians and the range of the rounds' own ratios. Memory is measured once.
// --settle-ms: unmeasured load on each fresh deployment (default 10 s): PUT and GET at 64 clients,
// then PUT at one client.
// --clients / --ops keep only the rows with those client counts / operations.
// --generator: wrk when installed (cheapest per request; one wrk per client URL), else Bun worker
// processes.
// --one-client: rows with one client are measured by bench/one-client.c (direct, the default; it
// is built with the system's C compiler) or by the --generator like the other rows. wrk's own
// latencies at one connection are not trustworthy on the benchmark machine: see one-client.ts.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { parseArgs } from "node:util";
import { etcdPath } from "../test/support/servers.ts";
import { measure, populate, type MeasureOptions } from "./measure.ts";
import { measureMemory, type MemoryOptions, type MemoryResult } from "./memory.ts";
import { markdownTable, medianOf, memoryTable, type Row } from "./report.ts";
import { scenarios } from "./scenarios.ts";
import type { Deployment, Measurement, Op } from "./types.ts";
import { measureOneClient, oneClientPath } from "./one-client.ts";
import { measureWithWrk, wrkPath } from "./wrk.ts";

const { values: args } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    "settle-ms": { type: "string" },
    rounds: { type: "string" },
    only: { type: "string" },
    server: { type: "string" },
    "duration-ms": { type: "string" },
    clients: { type: "string" },
    ops: { type: "string" },
    "memory-keys": { type: "string" },
    workers: { type: "string", default: "2" },
    generator: { type: "string" },
    "one-client": { type: "string", default: "direct" },
    out: { type: "string", default: "test-output/bench.md" },
  },
});

const generator = args.generator ?? (wrkPath() ? "wrk" : "bun");
if (generator === "wrk" && !wrkPath()) {
  console.error("--generator wrk: wrk is not installed (apt-get install wrk)");
  process.exit(1);
}

const listArg = (v: string | undefined) => (v === undefined ? null : v.split(",").map((s) => s.trim()));
const onlyIds = listArg(args.only);
const knownIds = [...scenarios.map((s) => s.id), "memory"];
for (const id of onlyIds ?? []) {
  if (!knownIds.includes(id)) {
    console.error(`--only ${id}: unknown scenario; choose from ${knownIds.join(", ")}`);
    process.exit(1);
  }
}
const selected = (id: string) => !onlyIds || onlyIds.includes(id);
const kinds = (["etcd", "etcbun"] as const).filter((k) => !args.server || args.server === k);
if (kinds.length === 0) {
  console.error(`--server ${args.server}: choose etcd or etcbun`);
  process.exit(1);
}
if (kinds.includes("etcd") && !etcdPath()) {
  console.error("etcd is not installed (apt-get install etcd-server); the comparison needs it");
  process.exit(1);
}

const oneClient = args["one-client"];
if (oneClient !== "direct" && oneClient !== "generator") {
  console.error(`--one-client ${oneClient}: choose direct or generator`);
  process.exit(1);
}
if (oneClient === "direct" && oneClientPath() === null) {
  console.error("--one-client direct needs a C compiler to build bench/one-client.c (apt-get install gcc), or pass --one-client generator");
  process.exit(1);
}

function load(urls: string[], op: Op, opts: MeasureOptions): Promise<Measurement> {
  // A lone client goes to the first URL (the leader on 3 members) whichever tool measures it.
  if (opts.clients === 1 && oneClient === "direct") return measureOneClient(urls[0]!, op, opts);
  return generator === "wrk" ? measureWithWrk(urls, op, opts) : measure(urls, op, opts);
}

const durationMs = Number(args["duration-ms"] ?? (args.quick ? 1000 : 5000));
const base: Omit<MeasureOptions, "clients"> = {
  warmupMs: args.quick ? 200 : 1000,
  durationMs,
  workers: Number(args.workers),
  keys: args.quick ? 200 : 1000,
  valueBytes: 64,
};
// Unmeasured load on each fresh deployment before its first window, the same for both servers:
// a JIT runtime (Bun's JavaScriptCore) compiles its hot paths in the first seconds of load, and a
// steady-state comparison should not charge those seconds to whichever row happens to run first.
const settleMs = Number(args["settle-ms"] ?? (args.quick ? 0 : 10000));
// Rounds: this machine's runs differ by 15-20% from one to the next for either server, so one
// window per row says little on its own; the medians of three rounds are steadier.
const rounds = Number(args.rounds ?? (args.quick ? 1 : 3));
if (!Number.isInteger(rounds) || rounds < 1) {
  console.error(`--rounds ${args.rounds}: a whole number, 1 or more`);
  process.exit(1);
}
// One-client load runs one Raft Ready per request, a different shape from 64 clients' batches:
// its per-Ready paths were still being compiled through the first seconds of the one-client row
// when the settle had only 64-client load (one 3-member run, three 5 s one-client windows after
// 10 s at 64 clients: 1,420 then 1,618 and 1,657 req/s, p99 5.8 then 4.2 and 3.9 ms). So the
// settle ends with one client too.
const SETTLE_STEPS: readonly { op: Op; clients: number; share: number }[] = [
  { op: "put", clients: 64, share: 0.4 },
  { op: "get", clients: 64, share: 0.2 },
  { op: "put", clients: 1, share: 0.4 },
];
const clientFilter = listArg(args.clients)?.map(Number) ?? null;
const opFilter = listArg(args.ops);
const memory: MemoryOptions = { keys: Number(args["memory-keys"] ?? (args.quick ? 10_000 : 100_000)), valueBytes: 256, writers: 64, settleMs: 3000 };

const sections: string[] = [];
const rows: Row[] = [];
for (const scenario of scenarios.filter((s) => selected(s.id))) {
  const cases = scenario.cases.filter((c) => (!clientFilter || clientFilter.includes(c.clients)) && (!opFilter || opFilter.includes(c.op)));
  if (cases.length === 0) continue;
  const key = (c: { op: Op; clients: number }, kind: string) => `${c.op}/${c.clients}/${kind}`;
  // Per row and server, one result per round.
  const results = new Map<string, (Measurement | string)[]>();
  const record = (k: string, round: number, m: Measurement | string) => {
    const list = results.get(k) ?? [];
    list[round] = m;
    results.set(k, list);
  };
  for (let round = 0; round < rounds; round++) {
    // One kind at a time: on a small machine two deployments would steal each other's CPU. The
    // order alternates by round (etcd first, then etcbun first, ...), so a machine that slows or
    // speeds up over the run does not always favour the same server.
    for (const kind of round % 2 === 0 ? kinds : [...kinds].reverse()) {
      let dep: Deployment | undefined;
      const label = rounds > 1 ? `${scenario.name} round ${round + 1}/${rounds} ${kind}` : `${scenario.name} ${kind}`;
      try {
        dep = await scenario.start(kind);
        await populate(dep.clientURLs, base);
        if (settleMs > 0) {
          for (const s of SETTLE_STEPS) await load(dep.clientURLs, s.op, { ...base, clients: s.clients, warmupMs: 0, durationMs: settleMs * s.share });
        }
        for (const c of cases) {
          const m = await load(dep.clientURLs, c.op, { ...base, clients: c.clients });
          record(key(c, kind), round, m);
          console.error(`${label} ${c.op} x${c.clients}: ${m.requestsPerSec.toFixed(0)} req/s, p99 ${m.p99Ms.toFixed(2)} ms`);
        }
      } catch (err) {
        const why = `failed: ${String(err).split("\n")[0]}`;
        console.error(`${label}: ${String(err)}`);
        for (const c of cases) if (results.get(key(c, kind))?.[round] === undefined) record(key(c, kind), round, why);
      } finally {
        await dep?.stop();
      }
    }
  }
  for (const c of cases) {
    const of = (kind: string) => Array.from({ length: rounds }, (_, i) => results.get(key(c, kind))?.[i] ?? "not run");
    const etcd = of("etcd");
    const etcbun = of("etcbun");
    rows.push({
      scenario: scenario.name,
      op: c.op,
      clients: c.clients,
      etcd: medianOf(etcd),
      etcbun: medianOf(etcbun),
      rounds: etcd.map((m, i) => ({ etcd: m, etcbun: etcbun[i]! })),
    });
  }
}
if (rows.length > 0) {
  sections.push(
    `keys API, ${rounds > 1 ? `${rounds} rounds (a fresh deployment of each server per round, the order alternating; each figure is the median of the rounds' and each ratio the medians' ratio, beside the range of the rounds' own ratios), ` : ""}${durationMs} ms windows after ${settleMs} ms of unmeasured load per deployment (PUT and GET at 64 clients, PUT at 1), ${base.valueBytes}-byte values, ${base.keys} keys, load from ${generator} (${base.workers} ${generator === "wrk" ? "threads" : "processes"})${oneClient === "direct" ? ", one-client rows from bench/one-client.c" : ""}; 3-member clients are spread over all members`,
    markdownTable(rows),
  );
}

if (selected("memory")) {
  const res: Record<"etcd" | "etcbun", MemoryResult | string> = { etcd: "not run", etcbun: "not run" };
  for (const kind of kinds) {
    try {
      res[kind] = await measureMemory(kind, memory);
      console.error(`memory ${kind}: ${JSON.stringify(res[kind])}`);
    } catch (err) {
      console.error(`memory ${kind}: ${String(err)}`);
      res[kind] = `failed: ${String(err).split("\n")[0]}`;
    }
  }
  sections.push(`memory: VmRSS from /proc/<pid>/status`, memoryTable({ ...memory, ...res }));
}

const text = `${sections.join("\n\n")}\n`;
console.log(`\n${text}`);
mkdirSync(dirname(args.out), { recursive: true });
writeFileSync(args.out, text);
console.error(`written to ${args.out}`);
