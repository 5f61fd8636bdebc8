// python-etcd (the Debian python3-etcd client library) against etcbun: a small script drives the
// library and prints what it got; the document must equal the one produced against real etcd.
import { describe, expect, test } from "bun:test";
import { spawn } from "bun";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { targetKind, usePair } from "../conformance/harness/pair.ts";
import { storeIndex } from "../conformance/harness/run.ts";
import { etcdMissingReason, type RunningServer } from "../support/servers.ts";
import { verdict } from "../conformance/known-differences.ts";
import { normalizeOutput } from "./ctl.ts";

const python = "/usr/bin/python3";
const script = join(import.meta.dir, "python_etcd_client.py");

function pythonEtcdMissing(): string | null {
  if (!existsSync(python)) return "/usr/bin/python3 is missing";
  const r = Bun.spawnSync([python, "-c", "import etcd"]);
  return r.exitCode === 0 ? null : "python-etcd is not installed (apt-get install python3-etcd)";
}

async function drive(server: RunningServer, aliases: Map<string, string>): Promise<unknown> {
  const base = await storeIndex(server);
  const { hostname, port } = new URL(server.clientURL);
  const proc = spawn([python, script, hostname, port], { stdout: "pipe", stderr: "pipe" });
  const timer = setTimeout(() => proc.kill("SIGKILL"), 30000);
  const [out, err] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  await proc.exited;
  clearTimeout(timer);
  if (proc.exitCode !== 0) throw new Error(`python-etcd script failed against ${server.kind} (${proc.exitCode}):\n${err}`);
  // The script prints indexes relative to its first read already; names and URLs still need it.
  return JSON.parse(normalizeOutput({ base, aliases }, out)).results;
}

const skip = etcdMissingReason() ?? pythonEtcdMissing();

describe.skipIf(skip !== null)(`python-etcd against etcd 3.4 and ${targetKind()}`, () => {
  const pair = usePair();

  test("read, write, dirs, TTL, test_and_set, watch, members, leader and stats behave as with etcd", async () => {
    const p = pair();
    const [ref, mine] = await Promise.all([drive(p.reference, p.refAliases), drive(p.target, p.targetAliases)]);
    const byName = (rs: unknown) => new Map((rs as [string, string, unknown][]).map(([n, kind, v]) => [n, { kind, v }]));
    const want = byName(ref);
    // The reference run itself must show the behaviour the steps are named after.
    expect(want.get("test_and_set fails")?.kind).toBe("EtcdCompareFailed");
    expect(want.get("delete dir not empty")?.kind).toBe("EtcdDirNotEmpty");
    expect((want.get("live watch")?.v as { value: string }).value).toBe("now");
    const got = byName(mine);
    const problems: string[] = [];
    for (const [name, r] of want) {
      const detail = `${name}\n  etcd:    ${JSON.stringify(r)}\n  ${targetKind()}: ${JSON.stringify(got.get(name))}`;
      const problem = verdict("python-etcd", name, !Bun.deepEquals(got.get(name), r), detail);
      if (problem) problems.push(problem);
    }
    expect(problems).toEqual([]);
  }, 60000);
});

if (skip) describe.skip(`python-etcd (${skip})`, () => {});
