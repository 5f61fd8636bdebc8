// The CI campaign: a three-member cluster of dist/etcbun (built by `npm test` before the suites
// run) under about a minute of faults of several kinds, then every end-of-run check. The nemesis
// schedule is seeded (CHAOS_SEED to change it); the long campaigns are `npm run chaos`.
import { expect, test } from "bun:test";
import { runCampaign, summarize } from "./campaign.ts";

const seed = Number(process.env.CHAOS_SEED ?? 20261125);

test(
  "a short campaign: kills, pauses, partitions, one-way and flaky links, membership changes",
  async () => {
    const result = await runCampaign({
      seed,
      durationMs: 55_000,
      nemesis: ["kill-leader", "kill-majority", "pause-leader", "isolate", "leader-minority", "oneway", "flaky", "membership"],
      clients: 6,
      holdMsMin: 1500,
      holdMsMax: 4000,
      gapMs: 1000,
      log: () => {},
    });
    const report = [summarize(result), ...result.details].join("\n");
    console.log(summarize(result));
    if (result.anomalies.length > 0) throw new Error(`${report}\nreproduce: npm run chaos -- --seed ${seed}`);
    // The run must have exercised something: faults of more than one kind, and answered requests.
    expect(Object.keys(result.faultsByKind).length).toBeGreaterThan(2);
    expect(result.outcomes.ok).toBeGreaterThan(100);
  },
  180_000,
);
