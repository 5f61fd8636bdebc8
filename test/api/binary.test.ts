// The compiled single executable, end to end on loopback: flags, listening, PUT/GET, watch
// header flushing, and the one-line error for a bad flag.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
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

  test("a watch's headers arrive before any event", async () => {
    const controller = new AbortController();
    const headers = await Promise.race([
      fetch(`${srv.clientURL}/v2/keys/never?wait=true`, { signal: controller.signal }).then((r) => r.status),
      Bun.sleep(3000).then(() => "no headers after 3 s"),
    ]);
    controller.abort();
    expect(headers).toBe(200);
  });

  test("a bad flag is one line on stderr and a non-zero exit", async () => {
    const proc = Bun.spawn([etcbunPath, "--election-timeout", "10"], { stdout: "pipe", stderr: "pipe" });
    const [code, stderr] = await Promise.all([proc.exited, new Response(proc.stderr).text()]);
    expect(code).not.toBe(0);
    expect(stderr).toBe("etcbun: error verifying flags, --election-timeout[10ms] should be at least as 5 times as --heartbeat-interval[100ms]. See 'etcbun --help'.\n");
  });
});
