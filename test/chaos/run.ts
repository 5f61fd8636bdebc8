// `npm run chaos -- --time 600 --nemesis all [--seed N] [--members 5] [--server etcd]`: a long
// campaign against dist/etcbun (or etcd 3.4 for comparison). Exits non-zero on any anomaly and
// prints the seed that reproduces the nemesis schedule.
import { parseArgs } from "node:util";
import { runCampaign, summarize } from "./campaign.ts";
import { NEMESIS_KINDS, type NemesisKind } from "./nemesis.ts";

const { values } = parseArgs({
  options: {
    time: { type: "string", default: "120" },
    nemesis: { type: "string", default: "all" },
    seed: { type: "string" },
    members: { type: "string", default: "3" },
    server: { type: "string", default: "etcbun" },
    clients: { type: "string", default: "8" },
    json: { type: "string" },
  },
});

const kinds = values.nemesis === "all" ? [...NEMESIS_KINDS] : (values.nemesis!.split(",") as NemesisKind[]);
for (const k of kinds) if (!NEMESIS_KINDS.includes(k)) throw new Error(`unknown nemesis ${k}; known: ${NEMESIS_KINDS.join(", ")}, all`);
const seed = values.seed ? Number(values.seed) : Math.floor(Math.random() * 2 ** 31);
console.log(`chaos: seed=${seed} time=${values.time}s nemesis=${kinds.join(",")} members=${values.members} server=${values.server}`);
const result = await runCampaign({
  seed,
  durationMs: Number(values.time) * 1000,
  nemesis: kinds,
  size: Number(values.members),
  server: values.server as "etcbun" | "etcd",
  clients: Number(values.clients),
  log: (l) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${l}`),
});
console.log(summarize(result));
for (const d of result.details) console.log(d);
if (values.json) await Bun.write(values.json, JSON.stringify({ ...result, details: undefined }, null, 2));
if (result.anomalies.length > 0) {
  console.log(`\nreproduce the nemesis schedule: npm run chaos -- --time ${values.time} --nemesis ${values.nemesis} --members ${values.members} --seed ${seed}`);
  process.exit(1);
}
