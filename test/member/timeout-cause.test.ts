// Which cause a timed-out proposal reports, as etcd decides it: the plain "request timed out"
// when there is no quorum (no leader is elected while it waits), "possibly due to previous leader
// failure" only when a new leader was elected within two election timeouts after it started.
import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../server/config/index.ts";
import { startMember, type StartedMember } from "../../server/member/start.ts";
import { EtcdError } from "../../server/store/types.ts";
import { freePort } from "../support/ports.ts";

const started: StartedMember[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const s of started.splice(0)) await s.stop();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const put = (path: string, value: string) =>
  ({ method: "PUT", path, value, dir: false, expireAtUs: null, refresh: false, nowUs: Date.now() * 1000 }) as const;

async function threeMembers(): Promise<StartedMember[]> {
  const peers = await Promise.all(["a", "b", "c"].map(async (name) => ({ name, url: `http://127.0.0.1:${await freePort()}` })));
  const initialCluster = peers.map((p) => `${p.name}=${p.url}`).join(",");
  const members = await Promise.all(
    peers.map((p) => {
      const dir = mkdtempSync(join(tmpdir(), "etcbun-timeout-"));
      dirs.push(dir);
      const r = loadConfig(
        ["--name", p.name, "--data-dir", dir, "--listen-peer-urls", p.url, "--initial-advertise-peer-urls", p.url,
          "--initial-cluster", initialCluster, "--heartbeat-interval", "20", "--election-timeout", "200"],
        {},
      );
      if (r.kind !== "run") throw new Error("config");
      return startMember(r.config, { log: () => {} });
    }),
  );
  started.push(...members);
  await Promise.all(members.map((m) => m.member.ready()));
  return members;
}

async function causeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "no error";
  } catch (e) {
    expect(e).toBeInstanceOf(EtcdError);
    expect((e as EtcdError).errorCode).toBe(300);
    return (e as EtcdError).cause_;
  }
}

test("without quorum a proposal times out with etcd's plain cause", async () => {
  const ms = await threeMembers();
  const survivor = ms[0]!;
  for (const m of ms.slice(1)) {
    await m.stop();
    started.splice(started.indexOf(m), 1);
  }
  expect(await causeOf(survivor.member.propose(put("/1/x", "1")))).toBe("etcdserver: request timed out");
}, 20_000);
