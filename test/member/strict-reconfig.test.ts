// --strict-reconfig-check's health rule on three in-process members over the real peer transport:
// a member refuses to add a voter unless it has been connected to every voter for 5 s, and to
// remove one if the voters it is connected to would no longer be a quorum (etcd 3.4's
// isConnectedFullySince / isConnectedToQuorumSince). Every member and transport share one frozen
// clock that the test moves, so "connected for 5 s" needs no sleeping.
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../server/config/index.ts";
import type { Config } from "../../server/config/config.ts";
import { HEALTH_INTERVAL_MS, UNHEALTHY } from "../../server/member/reconfig-check.ts";
import { startMember, type StartedMember } from "../../server/member/start.ts";
import { freePort } from "../support/ports.ts";
import { until } from "../support/until.ts";

let clockUs = Date.now() * 1000;
const nowUs = () => clockUs;
const advanceMs = (ms: number) => (clockUs += ms * 1000);

const running = new Set<StartedMember>();
const dataDirs: string[] = [];
const logs = new Map<string, string[]>();
afterAll(async () => {
  for (const s of running) await s.stop();
  for (const d of dataDirs) rmSync(d, { recursive: true, force: true });
});

async function start(config: Config): Promise<StartedMember> {
  const lines = logs.get(config.name) ?? [];
  logs.set(config.name, lines);
  const s = await startMember(config, { log: (l) => lines.push(l), nowUs });
  running.add(s);
  return s;
}

/** The leader's transport view of each peer ("healthy" = its stream is up). */
const peerHealth = (s: StartedMember) => new Map((s.member.introspect().progress?.() ?? []).map((p) => [p.id, p.health]));
const refused = { status: 500, message: "Internal Server Error" };

test("strict reconfig: adds need every voter connected for 5 s; removes keep a connected quorum", async () => {
  const urls = await Promise.all([0, 1, 2].map(async () => `http://127.0.0.1:${await freePort()}`));
  const initialCluster = urls.map((u, i) => `m${i}=${u}`).join(",");
  const configs = urls.map((url, i) => {
    const dir = mkdtempSync(join(tmpdir(), "etcbun-strict-"));
    dataDirs.push(dir);
    const r = loadConfig(
      ["--name", `m${i}`, "--data-dir", dir, "--listen-peer-urls", url, "--initial-advertise-peer-urls", url, "--initial-cluster", initialCluster,
        "--heartbeat-interval", "50", "--election-timeout", "500", "--strict-reconfig-check=true"],
      {},
    );
    if (r.kind !== "run") throw new Error("config");
    return r.config;
  });
  const ms = await Promise.all(configs.map(start));
  await Promise.all(ms.map((s) => s.member.ready()));
  await until(() => ms.every((s) => s.member.members().every((m) => m.name !== "")));
  await until(() => ms.some((s) => s.member.leader()?.id === s.member.id));
  const leader = ms.find((s) => s.member.leader()?.id === s.member.id)!;
  const [down, other] = ms.filter((s) => s !== leader) as [StartedMember, StartedMember];
  await until(() => { const h = peerHealth(leader); return h.get(down.member.id) === "healthy" && h.get(other.member.id) === "healthy"; });

  // Connected to everyone, but not yet for the health interval (the clock has not moved).
  const spareURL = () => freePort().then((p) => `http://127.0.0.1:${p}`);
  await expect(leader.member.addMember([await spareURL()])).rejects.toMatchObject(refused);
  expect(logs.get(leader.member.name)!.some((l) => l.includes(UNHEALTHY))).toBe(true);

  // Healthy for longer than the interval: the add goes through. The new voter never starts, so
  // its stream is down and removing it again is allowed (it is not part of the working quorum).
  advanceMs(HEALTH_INTERVAL_MS + 1);
  const added = await leader.member.addMember([await spareURL()]);
  await leader.member.removeMember(added.id);
  expect(leader.member.members().map((m) => m.id)).not.toContain(added.id);

  // One follower down: no add, and neither the other follower nor the leader itself may go.
  await down.stop();
  running.delete(down);
  await until(() => peerHealth(leader).get(down.member.id) === "unreachable");
  await expect(leader.member.addMember([await spareURL()])).rejects.toMatchObject(refused);
  await expect(leader.member.removeMember(other.member.id)).rejects.toMatchObject(refused);
  await expect(leader.member.removeMember(leader.member.id)).rejects.toMatchObject(refused);
  // The refusals changed nothing.
  expect(leader.member.members().length).toBe(3);

  // Back on its data dir: refused until its stream has been up for the interval, then accepted.
  const back = await start(configs[ms.indexOf(down)]!);
  await until(() => peerHealth(leader).get(back.member.id) === "healthy");
  await expect(leader.member.addMember([await spareURL()])).rejects.toMatchObject(refused);
  advanceMs(HEALTH_INTERVAL_MS + 1);
  const again = await leader.member.addMember([await spareURL()]);
  expect(leader.member.members().map((m) => m.id)).toContain(again.id);
}, 20000);
