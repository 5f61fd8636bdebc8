// A logged request the store cannot take must fail alone, never stop the member.
import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../server/config/index.ts";
import { startMember, type StartedMember } from "../../server/member/start.ts";
import type { V2Request } from "../../server/store/types.ts";
import { freePort } from "../support/ports.ts";

const started: StartedMember[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const s of started.splice(0)) await s.stop();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

test("requests the store rejects or cannot represent fail alone; later writes succeed", async () => {
  const dir = mkdtempSync(join(tmpdir(), "etcbun-bad-"));
  dirs.push(dir);
  const peer = `http://127.0.0.1:${await freePort()}`;
  const r = loadConfig(["--name", "solo", "--data-dir", dir, "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer, "--initial-cluster", `solo=${peer}`, "--snapshot-count", "5"], {});
  if (r.kind !== "run") throw new Error("config");
  const s = await startMember(r.config, { log: () => {} });
  started.push(s);
  await s.member.ready();
  const bad: V2Request[] = [
    { method: "PUT", path: "/1/huge", value: "x", dir: false, expireAtUs: 1e30, refresh: false, nowUs: 0 },
    { method: "PUT", path: "/1/nan", value: "x", dir: false, expireAtUs: Number.NaN, refresh: false, nowUs: 0 },
    { method: "BOGUS", path: "/1/x" } as unknown as V2Request,
    { method: "PUT", path: 42, value: "x" } as unknown as V2Request,
  ];
  for (const req of bad) await s.member.propose(req).catch(() => {});
  for (let i = 0; i < 20; i++) {
    const res = await s.member.propose({ method: "PUT", path: `/1/ok${i}`, value: "v", dir: false, expireAtUs: null, refresh: false, nowUs: 0 });
    expect(res.event.action).toBe("set");
  }
  expect(await s.member.health()).toBe(true);
}, 30000);
