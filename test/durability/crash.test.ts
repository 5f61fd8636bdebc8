// SIGKILL under load, again and again, on the same data dir: after every restart each
// acknowledged write is there with its acknowledged value and index (or a later write that was in
// flight), nothing else appeared, and X-Etcd-Index never went backwards. Some rounds run with a
// tiny --snapshot-count so kills land while snapshots are written and old files purged.
// DURABILITY_SEED=N replays a run; DURABILITY_KILLS=N runs longer.
import { afterAll, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { SeededRng } from "../../server/raft/rng.ts";
import { MemberProcess } from "../support/member-process.ts";
import { scratchDir } from "../support/servers.ts";
import { Ledger } from "./ledger.ts";
import { readAll, Writers } from "./writers.ts";

const seed = Number(process.env.DURABILITY_SEED ?? Math.floor(Math.random() * 2 ** 31));
const kills = Number(process.env.DURABILITY_KILLS ?? 20);
const CLIENTS = 24;
/** undefined = the default (10000): kills then land in plain appends. */
const SNAPSHOT_COUNTS = [undefined, 300, 41];

const root = scratchDir("durability");
afterAll(() => rmSync(root, { recursive: true, force: true }));

test(
  `every acknowledged write survives ${kills} SIGKILLs under load (seed=${seed})`,
  async () => {
    console.log(`durability: seed=${seed} kills=${kills} (DURABILITY_SEED=${seed} replays it)`);
    const rng = new SeededRng(seed);
    const ledger = new Ledger();
    const writers = new Writers(ledger, { clients: CLIENTS, seed });
    const member = await MemberProcess.create(join(root, "data"));
    const log: string[] = [];
    try {
      for (let round = 0; round <= kills; round++) {
        const snapshotCount = SNAPSHOT_COUNTS[round % SNAPSHOT_COUNTS.length];
        member.start({ extraArgs: snapshotCount === undefined ? [] : ["--snapshot-count", String(snapshotCount)] });
        await member.waitWritable();
        const { stored, etcdIndex } = await readAll(member.clientURL);
        const problems = ledger.check(stored, etcdIndex);
        if (problems.length > 0) {
          throw new Error(`seed=${seed} round ${round}: ${problems.length} violations\n${problems.slice(0, 20).join("\n")}\n${log.join("\n")}\n--- member output\n${member.run?.output().slice(-3000)}`);
        }
        if (round === kills) break;
        writers.resync();
        const delayMs = rng.between(30, 450);
        const load = writers.run(member.clientURL, round);
        await Bun.sleep(delayMs);
        await member.kill("SIGKILL");
        await load;
        log.push(`round ${round}: snapshot-count ${snapshotCount ?? "default"}, killed after ${delayMs} ms, ${stored.size} keys, index ${etcdIndex}, acked so far ${ledger.acknowledged}, in doubt so far ${ledger.inDoubt}`);
        expect(writers.anomalies).toEqual([]);
      }
    } finally {
      await member.kill("SIGKILL");
      if (process.env.DURABILITY_VERBOSE) console.log(log.join("\n"));
    }
    console.log(`durability: ${kills} kills, ${ledger.acknowledged} acknowledged writes checked, ${ledger.inDoubt} in doubt at kill time, final index ${ledger.indexFloor}`);
    // The load must have been real, or the test proves nothing.
    expect(ledger.acknowledged).toBeGreaterThan(kills * 50);
  },
  { timeout: 100_000 },
);
