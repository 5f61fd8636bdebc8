// The compiled single executable, end to end on loopback: flags, listening, PUT/GET, watch
// header flushing, and the one-line error for a bad flag.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../support/ports.ts";
import { etcbunPath, type RunningServer, startServer } from "../support/servers.ts";

const missing = existsSync(etcbunPath) ? null : `${etcbunPath} is not built (run: npx bun scripts/build.ts)`;
if (missing) console.warn(`skipping binary tests: ${missing}`);

describe.skipIf(missing !== null)("dist/etcbun", () => {
  let srv: RunningServer;
  beforeAll(async () => {
    srv = await startServer("etcbun", { name: "bin" });
  });
  afterAll(async () => {
    await srv?.stop();
  });

  test("PUT then GET over a real socket", async () => {
    let r = await fetch(`${srv.clientURL}/v2/keys/hello`, { method: "PUT", body: "value=world", headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect(r.status).toBe(201);
    const put = await r.json();
    r = await fetch(`${srv.clientURL}/v2/keys/hello`);
    expect(await r.text()).toBe(`{"action":"get","node":{"key":"/hello","value":"world","modifiedIndex":${put.node.modifiedIndex},"createdIndex":${put.node.createdIndex}}}\n`);
    expect(r.headers.get("x-etcd-cluster-id")).toMatch(/^[0-9a-f]{1,16}$/);
  });

  test("the executable re-executed itself once with its allocator settings, keeping its PID", () => {
    // server/runtime-tuning.ts: settings mimalloc reads only from the environment at start.
    const environ = readFileSync(`/proc/${srv.pid}/environ`, "utf8").split("\0");
    expect(environ).toContain("MIMALLOC_PURGE_DELAY=1000");
    expect(environ).toContain("MIMALLOC_PURGE_HOLES_MIN_INTERVAL=1000");
    expect(environ).toContain("ETCBUN_RUNTIME_TUNED=1");
  });

  test("a watch's headers arrive before any event", async () => {
    const controller = new AbortController();
    const headers = await Promise.race([
      fetch(`${srv.clientURL}/v2/keys/never?wait=true`, { signal: controller.signal }).then((r) => r.status),
      Bun.sleep(3000).then(() => "no headers after 3 s"),
    ]);
    controller.abort();
    expect(headers).toBe(200);
  });

  test("listens on every client URL and stops cleanly on SIGTERM", async () => {
    const [a, b, peer] = [await freePort(), await freePort(), await freePort()];
    const dir = mkdtempSync(join(tmpdir(), "etcbun-bin-"));
    const urls = [`http://127.0.0.1:${a}`, `http://127.0.0.1:${b}`];
    const proc = Bun.spawn(
      [etcbunPath, "--name", "two", "--data-dir", join(dir, "data"), "--listen-client-urls", urls.join(","), "--advertise-client-urls", urls[0]!,
        "--listen-peer-urls", `http://127.0.0.1:${peer}`, "--initial-advertise-peer-urls", `http://127.0.0.1:${peer}`, "--initial-cluster", `two=http://127.0.0.1:${peer}`],
      { stdout: "pipe", stderr: "pipe" },
    );
    try {
      for (const url of urls) {
        let status = 0;
        for (let i = 0; i < 100 && status !== 200; i++) {
          status = await fetch(`${url}/version`).then((r) => r.status, () => 0);
          if (status !== 200) await Bun.sleep(50);
        }
        expect(status).toBe(200);
      }
      proc.kill("SIGTERM");
      expect(await proc.exited).toBe(0);
    } finally {
      proc.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a bad flag is one line on stderr and a non-zero exit", async () => {
    const proc = Bun.spawn([etcbunPath, "--election-timeout", "10"], { stdout: "pipe", stderr: "pipe" });
    const [code, stderr] = await Promise.all([proc.exited, new Response(proc.stderr).text()]);
    expect(code).not.toBe(0);
    expect(stderr).toBe("etcbun: error verifying flags, --election-timeout[10ms] should be at least as 5 times as --heartbeat-interval[100ms]. See 'etcbun --help'.\n");
  });
});
