// Three Raft-backed members in one process over the real peer transport on loopback.
import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../server/config/index.ts";
import { HEALTH_INTERVAL_MS } from "../../server/member/reconfig-check.ts";
import { startMember, type StartedMember } from "../../server/member/start.ts";
import { freePort } from "../support/ports.ts";
import { changeWhileRefused } from "../support/reconfig.ts";

const started: StartedMember[] = [];
const dirs: string[] = [];
// The members' clock, which a test moves forward instead of sleeping through
// --strict-reconfig-check's 5 s of connectivity before an add.
let clockSkewUs = 0;
const nowUs = () => Date.now() * 1000 + clockSkewUs;
afterEach(async () => {
  clockSkewUs = 0;
  for (const s of started.splice(0)) await s.stop();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const put = (path: string, value: string) =>
  ({ method: "PUT", path, value, dir: false, expireAtUs: null, refresh: false, nowUs: Date.now() * 1000 }) as const;

function memberConfig(p: { name: string; url: string }, initialCluster: string, extra: string[] = []) {
  const dir = mkdtempSync(join(tmpdir(), "etcbun-cluster-"));
  dirs.push(dir);
  const r = loadConfig(
    ["--name", p.name, "--data-dir", dir, "--listen-peer-urls", p.url, "--initial-advertise-peer-urls", p.url,
      "--initial-cluster", initialCluster, "--initial-cluster-token", "tok", "--heartbeat-interval", "50", "--election-timeout", "500", ...extra],
    {},
  );
  if (r.kind !== "run") throw new Error("config");
  return r.config;
}

async function startCluster(n: number, extra: string[] = []): Promise<StartedMember[]> {
  const peers = await Promise.all(Array.from({ length: n }, async (_, i) => ({ name: `m${i}`, url: `http://127.0.0.1:${await freePort()}` })));
  const initialCluster = peers.map((p) => `${p.name}=${p.url}`).join(",");
  const members = await Promise.all(peers.map((p) => startMember(memberConfig(p, initialCluster, extra), { log: process.env.MEMBER_LOG ? (l) => console.log(p.name, l) : () => {}, nowUs })));
  started.push(...members);
  await Promise.all(members.map((m) => m.member.ready()));
  return members;
}

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await Bun.sleep(10);
  }
}

const valueOf = (s: StartedMember, path: string) => {
  try {
    return s.member.store.get(path, { recursive: false, sorted: false, nowUs: 0 }).event.node?.value;
  } catch {
    return undefined;
  }
};

test("writes through any member reach every member; losing the leader elects another", async () => {
  const ms = await startCluster(3);
  // Each member is ready once its own publish applied; the others' may land a moment later here.
  await until(() => ms[0]!.member.members().map((m) => m.name).sort().join() === "m0,m1,m2");
  const leaderId = ms[0]!.member.leader()!.id;
  const follower = ms.find((m) => m.member.id !== leaderId)!;
  await Promise.all(Array.from({ length: 100 }, (_, i) => follower.member.propose(put(`/1/f${i}`, `${i}`))));
  await until(() => ms.every((m) => valueOf(m, "/1/f99") === "99"));

  const leader = ms.find((m) => m.member.id === leaderId)!;
  await leader.stop();
  started.splice(started.indexOf(leader), 1);
  const rest = ms.filter((m) => m !== leader);
  await until(() => rest.every((m) => { const l = m.member.leader(); return l !== null && l.id !== leaderId; }), 8000);
  await rest[0]!.member.propose(put("/1/after", "yes"));
  await rest[1]!.member.readBarrier();
  expect(valueOf(rest[1]!, "/1/after")).toBe("yes");
}, 20000);

test("a member added at runtime joins, catches up and serves; a removed member stops", async () => {
  const ms = await startCluster(3, ["--snapshot-count", "50"]);
  await Promise.all(Array.from({ length: 300 }, (_, i) => ms[i % 3]!.member.propose(put(`/1/k${i}`, `${i}`))));
  const url = `http://127.0.0.1:${await freePort()}`;
  // The strict reconfig check (on by default) wants every voter connected for 5 s: let the
  // members' clock run that long for each refusal rather than wait for real.
  const added = await changeWhileRefused(() => ms[0]!.member.addMember([url]), { onRefused: () => (clockSkewUs += HEALTH_INTERVAL_MS * 1000) });
  expect(added.name).toBe("");
  // Like an operator after `member add`: every member must know of the new one before it starts.
  await until(() => ms.every((m) => m.member.members().length === 4));
  const initialCluster = [...ms[0]!.member.members().filter((m) => m.name !== "").map((m) => `${m.name}=${m.peerURLs[0]}`), `m3=${url}`].join(",");
  let stoppedReason = "";
  const joiner = await startMember(memberConfig({ name: "m3", url }, initialCluster, ["--initial-cluster-state", "existing"]), { log: () => {}, onFatal: (r) => (stoppedReason = r), nowUs });
  started.push(joiner);
  await joiner.member.ready();
  expect(joiner.member.id).toBe(added.id);
  await joiner.member.readBarrier();
  expect(valueOf(joiner, "/1/k299")).toBe("299");
  await until(() => ms[0]!.member.members().length === 4 && ms[0]!.member.members().every((m) => m.name !== ""));

  await ms[1]!.member.removeMember(joiner.member.id);
  await until(() => stoppedReason !== "");
  // ms[0] may be a follower that applies the removal a moment after the removed member hears of it.
  await until(() => !ms[0]!.member.members().some((m) => m.id === joiner.member.id));
  await expect(ms[0]!.member.removeMember(joiner.member.id)).rejects.toMatchObject({ status: 410 });
  await ms[2]!.member.propose(put("/1/after-remove", "ok"));
}, 30000);

test("--force-new-cluster restarts one member of a dead cluster alone, keeping its data", async () => {
  const ms = await startCluster(3);
  await Promise.all(Array.from({ length: 50 }, (_, i) => ms[0]!.member.propose(put(`/1/k${i}`, `${i}`))));
  await until(() => ms.every((m) => valueOf(m, "/1/k49") === "49"));
  const survivor = ms[1]!;
  const dir = dirs[1]!; // memberConfig made the data dirs in member order
  for (const m of started.splice(0)) await m.stop();
  const peerURL = survivor.member.members().find((m) => m.id === survivor.member.id)!.peerURLs[0]!;
  const config = memberConfig({ name: "m1", url: peerURL }, `m1=${peerURL}`, ["--force-new-cluster"]);
  config.dataDir = dir;
  const alone = await startMember(config, { log: () => {} });
  started.push(alone);
  await until(() => alone.member.leader()?.id === alone.member.id, 5000);
  expect(alone.member.id).toBe(survivor.member.id);
  expect(alone.member.members().map((m) => m.id)).toEqual([alone.member.id]);
  expect(valueOf(alone, "/1/k49")).toBe("49");
  await alone.member.propose(put("/1/alone", "yes"));
  expect(valueOf(alone, "/1/alone")).toBe("yes");
}, 20000);

test("leader stats time heartbeats and count appends per follower", async () => {
  const ms = await startCluster(3);
  await Promise.all(Array.from({ length: 20 }, (_, i) => ms[0]!.member.propose(put(`/1/s${i}`, `${i}`))));
  const leader = ms.find((m) => m.member.leader()?.id === m.member.id)!;
  await until(() => Object.values(leader.member.leaderStats()!.followers).every((f) => f.latency.maximum > 0 && f.counts.success > 0));
  const stats = leader.member.leaderStats()!;
  expect(Object.keys(stats.followers).sort()).toEqual(ms.map((m) => m.member.id).filter((id) => id !== leader.member.id).sort());
  for (const f of Object.values(stats.followers)) {
    expect(f.latency.minimum).toBeLessThanOrEqual(f.latency.average);
    expect(f.latency.average).toBeLessThanOrEqual(f.latency.maximum);
  }
  expect(ms.find((m) => m !== leader)!.member.leaderStats()).toBeNull();
}, 20000);

test("concurrent quorum reads share ReadIndex rounds and still see every earlier write", async () => {
  const ms = await startCluster(3);
  const follower = ms.find((m) => m.member.leader()?.id !== m.member.id)!;
  const node = (follower.member as unknown as { node: { readIndex(ctx: Uint8Array): void } }).node;
  const real = node.readIndex.bind(node);
  let rounds = 0;
  node.readIndex = (ctx) => {
    rounds++;
    real(ctx);
  };
  await ms[0]!.member.propose(put("/1/before-read", "v"));
  await Promise.all(Array.from({ length: 200 }, () => follower.member.readBarrier()));
  expect(valueOf(follower, "/1/before-read")).toBe("v");
  expect(rounds).toBeGreaterThan(0);
  expect(rounds).toBeLessThan(20);
}, 20000);

test("/v2/stats/self reports append rates while appends flow: send on the leader, recv on followers", async () => {
  const ms = await startCluster(3);
  const leader = ms.find((m) => m.member.leader()?.id === m.member.id)!;
  const follower = ms.find((m) => m !== leader)!;
  await Promise.all(Array.from({ length: 50 }, (_, i) => leader.member.propose(put(`/1/r${i}`, "x".repeat(100)))));
  await until(() => (leader.member.selfStats().sendPkgRate ?? 0) > 0 && (follower.member.selfStats().recvPkgRate ?? 0) > 0);
  const fs = follower.member.selfStats();
  expect(Object.keys(fs)).toEqual(["name", "id", "state", "startTime", "leaderInfo", "recvAppendRequestCnt", "recvPkgRate", "recvBandwidthRate", "sendAppendRequestCnt"]);
  await Bun.sleep(1200);
  expect(follower.member.selfStats().recvPkgRate).toBeUndefined();
}, 20000);

test("a follower learns a commit at once: a write the leader answered is on every follower moments later", async () => {
  const ms = await startCluster(3);
  const leader = ms.find((m) => m.member.leader()?.id === m.member.id)!;
  const followers = ms.filter((m) => m !== leader);
  const writes = 20;
  const sentBefore = leader.member.selfStats().sendAppendRequestCnt;
  // One write at a time, as a lone client (python-etcd's test_reconnect reads a follower right
  // after the leader answered, then kills the leader): each commit leaves at once, as in etcd.
  for (let i = 0; i < writes; i++) {
    await leader.member.propose(put(`/1/seq${i}`, `${i}`));
    await until(() => followers.every((f) => valueOf(f, `/1/seq${i}`) === `${i}`), 200);
  }
  // An append with the entry and an entry-less one with its commit, per follower per write.
  expect(leader.member.selfStats().sendAppendRequestCnt - sentBefore).toBeGreaterThanOrEqual(3 * writes);
}, 20000);
