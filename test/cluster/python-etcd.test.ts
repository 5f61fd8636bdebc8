// python-etcd's own integration suite (Debian's python3-etcd, run unchanged through
// python/run_suite.py) against 3-member clusters of dist/etcbun: the suite starts members with
// etcd's single-dash flags on fixed ports 6001-6003 / 8001-8003, kills them, and finds its
// server as the first `etcd` on PATH, so the test puts a link named `etcd` to the binary there.
//
// Against real etcd 3.4.23 (same runner, ETCD_ENABLE_V2=true) all 17 tests pass, so no test is
// allowed to fail here. Set ETCBUN_COMPARE_ETCD=1 to run the suite against /usr/bin/etcd as well.
import { afterAll, expect, test } from "bun:test";
import { spawn } from "bun";
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { etcbunPath, etcdPath, readAll, scratchDir } from "../support/servers.ts";

const PYTHON = "/usr/bin/python3";
const SUITE = "etcd.tests.integration.test_simple";
const FIXED_PORTS = [6001, 6002, 6003, 6004, 8001, 8002, 8003];
/** Tests that fail against real etcd 3.4 too, and so may fail against etcbun (none today). */
const FAILS_ON_ETCD_TOO: string[] = [];
const EXPECTED = [
  "TestClusterFunctions.test_reconnect",
  "TestClusterFunctions.test_reconnect_not_allowed",
  "TestClusterFunctions.test_reconnect_with_several_hosts_passed",
  "TestClusterFunctions.test_reconnet_fails",
  "TestErrors.test_creating_already_existing_directory",
  "TestErrors.test_is_not_a_file",
  "TestErrors.test_test_and_set",
  "TestSimple.test_directory_ttl_update",
  "TestSimple.test_get_set_delete",
  "TestSimple.test_leader",
  "TestSimple.test_machines",
  "TestSimple.test_retrieve_subkeys",
  "TestSimple.test_update",
  "TestWatch.test_watch",
  "TestWatch.test_watch_generator",
  "TestWatch.test_watch_indexed",
  "TestWatch.test_watch_indexed_generator",
].map((t) => `${SUITE}.${t}`);

interface Summary {
  ran: number;
  passed: string[];
  failed: Record<string, string>;
  errors: Record<string, string>;
  skipped: Record<string, string>;
}

const scratch: string[] = [];
afterAll(() => {
  for (const d of scratch) rmSync(d, { recursive: true, force: true });
});

function python3Missing(): string | null {
  if (!existsSync(PYTHON)) return `${PYTHON} is missing`;
  const r = Bun.spawnSync([PYTHON, "-c", `import ${SUITE}`], { env: { ...process.env, PYTHONPATH: pythonPath() } });
  return r.exitCode === 0 ? null : `python-etcd's tests cannot be imported (apt-get install python3-etcd): ${r.stderr.toString().trim()}`;
}

function portTaken(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once("error", () => resolve(true));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(false)));
  });
}

/** The real nose when it imports; otherwise our one-decorator stand-in (see python/nose). */
function pythonPath(): string {
  const real = Bun.spawnSync([PYTHON, "-c", "import nose.tools"], { env: { ...process.env, PYTHONPATH: "" } });
  return real.exitCode === 0 ? "" : join(import.meta.dir, "python");
}

async function runSuite(binary: string, env: Record<string, string> = {}): Promise<{ summary: Summary | null; output: string; exitCode: number | null }> {
  for (const p of FIXED_PORTS) if (await portTaken(p)) throw new Error(`port ${p} is in use; python-etcd's suite needs it`);
  const dir = scratchDir("python-etcd");
  scratch.push(dir);
  const bin = join(dir, "bin");
  mkdirSync(bin);
  symlinkSync(binary, join(bin, "etcd"));
  const summaryPath = join(dir, "summary.json");
  // setsid: the suite's own server processes join python's process group, so one kill ends all.
  const proc = spawn(["setsid", PYTHON, join(import.meta.dir, "python/run_suite.py"), summaryPath, SUITE], {
    cwd: dir,
    env: { ...process.env, ...env, PATH: `${bin}:${process.env.PATH}`, PYTHONPATH: pythonPath(), TMPDIR: dir },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const chunks: string[] = [];
  const reading = Promise.all([readAll(proc.stdout, chunks), readAll(proc.stderr, chunks)]);
  const killGroup = setTimeout(() => {
    try {
      process.kill(-proc.pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }, 280_000);
  const exitCode = await proc.exited;
  clearTimeout(killGroup);
  try {
    process.kill(-proc.pid, "SIGKILL");
  } catch {
    // The group ended with the suite, as it should.
  }
  await reading;
  const output = chunks.join("");
  const summary = existsSync(summaryPath) ? (JSON.parse(readFileSync(summaryPath, "utf8")) as Summary) : null;
  return { summary, output, exitCode };
}

function expectAllPassed(run: Awaited<ReturnType<typeof runSuite>>): void {
  if (!run.summary) throw new Error(`the suite wrote no summary (exit ${run.exitCode}):\n${run.output.slice(-8000)}`);
  const s = run.summary;
  const notPassed = EXPECTED.filter((t) => !s.passed.includes(t) && !FAILS_ON_ETCD_TOO.includes(t));
  if (notPassed.length > 0) {
    const why = Object.entries({ ...s.failed, ...s.errors })
      .map(([id, text]) => `${id}:\n${text}`)
      .join("\n");
    throw new Error(`not passed: ${notPassed.join(", ")}\n${why}\n--- output\n${run.output.slice(-6000)}`);
  }
  expect(s.ran).toBe(EXPECTED.length);
  expect([...s.passed].sort()).toEqual(EXPECTED.filter((t) => !FAILS_ON_ETCD_TOO.includes(t) || s.passed.includes(t)).sort());
}

const missing = python3Missing();

test.skipIf(missing !== null)(
  "python-etcd's integration suite passes against dist/etcbun",
  async () => {
    expectAllPassed(await runSuite(etcbunPath));
  },
  300_000,
);

// Opt-in: the same 90 s suite against etcd only re-checks the reference (FAILS_ON_ETCD_TOO came
// from it); CI spends its time on etcbun.
test.skipIf(missing !== null || !process.env.ETCBUN_COMPARE_ETCD || etcdPath() === null)(
  "python-etcd's integration suite against real etcd 3.4 (ETCBUN_COMPARE_ETCD=1)",
  async () => {
    expectAllPassed(await runSuite(etcdPath()!, { ETCD_ENABLE_V2: "true" }));
  },
  300_000,
);

if (missing) console.warn(`skipping python-etcd suite: ${missing}`);
