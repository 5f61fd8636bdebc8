// A single Raft-backed member in-process: proposals go through Raft and the WAL, and survive a
// restart from the data dir.
import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../server/config/index.ts";
import { startMember, type StartedMember } from "../../server/member/start.ts";
import { freePort } from "../support/ports.ts";

const started: StartedMember[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const s of started.splice(0)) await s.stop();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function config(dataDir: string) {
  const peer = `http://127.0.0.1:${await freePort()}`;
  const r = loadConfig(
    ["--name", "solo", "--data-dir", dataDir, "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
      "--listen-client-urls", "http://127.0.0.1:1", "--advertise-client-urls", "http://127.0.0.1:1",
      "--initial-cluster", `solo=${peer}`, "--heartbeat-interval", "50", "--election-timeout", "500"],
    {},
  );
  if (r.kind !== "run") throw new Error("config");
  return r.config;
}

const put = (path: string, value: string) =>
  ({ method: "PUT", path, value, dir: false, expireAtUs: null, refresh: false, nowUs: Date.now() * 1000 }) as const;

test("a single member commits writes through raft and recovers them after restart", async () => {
  const dir = mkdtempSync(join(tmpdir(), "etcbun-member-"));
  dirs.push(dir);
  const cfg = await config(dir);
  const s = await startMember(cfg, { log: () => {} });
  started.push(s);
  await s.member.ready();
  const results = await Promise.all(Array.from({ length: 200 }, (_, i) => s.member.propose(put(`/1/k${i}`, `v${i}`))));
  expect(results.every((r) => r.event.action === "set")).toBe(true);
  await s.member.readBarrier();
  expect(s.member.store.get("/1/k199", { recursive: false, sorted: false, nowUs: 0 }).event.node?.value).toBe("v199");
  expect(s.member.members().map((m) => m.name)).toEqual(["solo"]);
  expect(s.member.leader()?.id).toBe(s.member.id);
  const indexBefore = s.member.store.index;
  await started.pop()!.stop();

  const again = await startMember(cfg, { log: () => {} });
  started.push(again);
  await again.member.readBarrier();
  expect(again.member.store.get("/1/k0", { recursive: false, sorted: false, nowUs: 0 }).event.node?.value).toBe("v0");
  expect(again.member.store.index).toBeGreaterThanOrEqual(indexBefore);
});
