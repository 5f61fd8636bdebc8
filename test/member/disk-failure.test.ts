// A failed fsync (disk full) stops acknowledgements, keeps the member up to report why, and
// leaves what was acknowledged before it readable.
import { afterEach, expect, test } from "bun:test";
import { loadConfig } from "../../server/config/index.ts";
import { startMember, type StartedMember } from "../../server/member/start.ts";
import { DiskError, SimDisk } from "../../server/wal/index.ts";
import { createApp } from "../../server/api/app.ts";
import { freePort } from "../support/ports.ts";

const started: StartedMember[] = [];
afterEach(async () => {
  for (const s of started.splice(0)) await s.stop();
});

test("after a failed fsync nothing more is acknowledged and /health says why; the member stays up", async () => {
  const disk = new SimDisk({ seed: 7 });
  const peer = `http://127.0.0.1:${await freePort()}`;
  const r = loadConfig(["--name", "solo", "--data-dir", "/sim/solo", "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer, "--initial-cluster", `solo=${peer}`], {});
  if (r.kind !== "run") throw new Error("config");
  let fatal = "";
  const s = await startMember(r.config, { log: () => {}, disk, onFatal: (why) => (fatal = why) });
  started.push(s);
  await s.member.ready();
  const put = (path: string) => ({ method: "PUT", path, value: "v", dir: false, expireAtUs: null, refresh: false, nowUs: 0 }) as const;
  await s.member.propose(put("/1/before"));

  disk.injectFaults((op) => (op.kind === "fdatasync" || op.kind === "fsync" ? new DiskError("ENOSPC", "no space left on device") : undefined));
  await expect(s.member.propose(put("/1/during"))).rejects.toMatchObject({ errorCode: 300 });
  await expect(s.member.propose(put("/1/after"))).rejects.toMatchObject({ errorCode: 300 });
  expect(fatal).toBe("");

  const app = createApp(s.member);
  const health = await app.handle(new Request("http://localhost:2379/health"));
  expect(health.status).toBe(503);
  const body = await health.json();
  expect(body.health).toBe("false");
  expect(body.reason).toContain("no space left on device");
  const get = await app.handle(new Request("http://localhost:2379/v2/keys/before"));
  expect(get.status).toBe(200);
  const after = await app.handle(new Request("http://localhost:2379/v2/keys/after"));
  expect(after.status).toBe(404);
}, 30000);
