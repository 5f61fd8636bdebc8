// `ETCDCTL_API=2 etcdctl` against etcbun: every command runs against real etcd too, and the exit
// code, stdout and stderr must match after normalization; exit codes are also checked against
// operations.md §11.
import { describe, expect, test } from "bun:test";
import type { ServerContext } from "../conformance/harness/normalize.ts";
import { targetKind, usePair } from "../conformance/harness/pair.ts";
import { storeIndex } from "../conformance/harness/run.ts";
import { etcdMissingReason, type RunningServer } from "../support/servers.ts";
import { verdict } from "../conformance/known-differences.ts";
import { etcdctlPath, normalizeOutput, runCtl, startCtl, type CtlResult } from "./ctl.ts";

interface Command {
  args: string[];
  code: number;
  /** etcd lists directory children in map order: compare the lines as a set. */
  sortLines?: boolean;
}

const commands: Command[] = [
  { args: ["set", "/ctl/a", "hello"], code: 0 },
  { args: ["get", "/ctl/a"], code: 0 },
  { args: ["-o", "extended", "get", "/ctl/a"], code: 0 },
  { args: ["-o", "json", "get", "/ctl/a"], code: 0 },
  { args: ["get", "/ctl/nokey"], code: 4 },
  { args: ["mk", "/ctl/a", "again"], code: 4 },
  { args: ["mk", "/ctl/b", "bee"], code: 0 },
  { args: ["mk", "--in-order", "/ctl/q", "job1"], code: 0 },
  { args: ["mk", "--in-order", "/ctl/q", "job2"], code: 0 },
  { args: ["ls", "--sort", "/ctl/q"], code: 0 },
  { args: ["mkdir", "/ctl/dir"], code: 0 },
  { args: ["mkdir", "/ctl/dir"], code: 4 },
  { args: ["setdir", "/ctl/dir"], code: 4 },
  { args: ["setdir", "/ctl/dir2"], code: 0 },
  { args: ["get", "/ctl/dir"], code: 1 },
  { args: ["update", "/ctl/a", "updated"], code: 0 },
  { args: ["update", "/ctl/nokey", "x"], code: 4 },
  { args: ["-o", "extended", "update", "/ctl/a", "updated2"], code: 0 },
  { args: ["set", "--swap-with-value", "updated2", "/ctl/a", "swapped"], code: 0 },
  { args: ["set", "--swap-with-value", "wrong", "/ctl/a", "x"], code: 4 },
  { args: ["updatedir", "--ttl", "100", "/ctl/dir"], code: 0 },
  { args: ["updatedir", "/ctl/nodir"], code: 4 },
  { args: ["mkdir", "/ctl/dir/sub"], code: 0 },
  { args: ["set", "/ctl/dir/sub/leaf", "l"], code: 0 },
  { args: ["ls", "/ctl"], code: 0, sortLines: true },
  { args: ["ls", "--sort", "--recursive", "/ctl"], code: 0 },
  { args: ["ls", "--sort", "-r", "-p", "/ctl"], code: 0 },
  { args: ["ls", "--sort"], code: 0 },
  { args: ["ls", "/ctl/nokey"], code: 4 },
  { args: ["-o", "extended", "ls", "/ctl"], code: 0 },
  { args: ["rm", "/ctl/b"], code: 0 },
  { args: ["rm", "/ctl/b"], code: 4 },
  { args: ["rm", "/ctl/dir"], code: 4 },
  { args: ["rmdir", "/ctl/dir"], code: 4 },
  { args: ["rm", "--dir", "/ctl/dir2"], code: 0 },
  { args: ["rm", "--with-value", "wrong", "/ctl/a"], code: 4 },
  { args: ["rm", "--with-value", "swapped", "/ctl/a"], code: 0 },
  { args: ["mkdir", "/ctl/empty"], code: 0 },
  { args: ["rmdir", "/ctl/empty"], code: 0 },
  { args: ["rm", "--recursive", "/ctl/dir"], code: 0 },
  { args: ["set", "--ttl", "100", "/ctl/t", "v"], code: 0 },
  { args: ["get", "/ctl/t"], code: 0 },
  { args: ["member", "list"], code: 0 },
  { args: ["cluster-health"], code: 0 },
  { args: ["rm", "--recursive", "/ctl"], code: 0 },
  { args: ["ls", "/"], code: 0 },
];

interface Side {
  server: RunningServer;
  ctx: ServerContext;
}

function side(server: RunningServer, aliases: Map<string, string>, base: number): Side {
  return { server, ctx: { base, aliases } };
}

function normalized(s: Side, r: CtlResult, sortLines = false): { code: number | null; stdout: string; stderr: string } {
  let stdout = normalizeOutput(s.ctx, r.stdout);
  if (sortLines) stdout = stdout.split("\n").sort().join("\n");
  return { code: r.code, stdout, stderr: normalizeOutput(s.ctx, r.stderr) };
}

async function watcherCount(server: RunningServer): Promise<number> {
  const r = await fetch(`${server.clientURL}/v2/stats/store`);
  return ((await r.json()) as { watchers: number }).watchers;
}

/** A watch started by a separate process is registered once the store counts it. */
async function untilWatchers(server: RunningServer, count: number): Promise<void> {
  const deadline = Date.now() + 15000;
  while ((await watcherCount(server)) < count) {
    if (Date.now() > deadline) throw new Error(`${server.kind}: /v2/stats/store never showed ${count} watchers`);
    await Bun.sleep(25);
  }
}

const skip = etcdMissingReason() ?? (etcdctlPath() ? null : "etcdctl is not installed (apt-get install etcd-client)");

describe.skipIf(skip !== null)(`etcdctl (v2) against etcd 3.4 and ${targetKind()}`, () => {
  const pair = usePair();

  async function sides(): Promise<[Side, Side]> {
    const p = pair();
    const [a, b] = await Promise.all([storeIndex(p.reference), storeIndex(p.target)]);
    return [side(p.reference, p.refAliases, a), side(p.target, p.targetAliases, b)];
  }

  test("key, directory, member and health commands print what etcd prints", async () => {
    const [ref, mine] = await sides();
    const mismatches: string[] = [];
    for (const c of commands) {
      const [x, y] = await Promise.all([runCtl(ref.server, c.args), runCtl(mine.server, c.args)]);
      const nx = normalized(ref, x, c.sortLines);
      const ny = normalized(mine, y, c.sortLines);
      if (x.code !== c.code) mismatches.push(`etcd: etcdctl ${c.args.join(" ")} exited ${x.code}, spec says ${c.code}`);
      const detail = `etcdctl ${c.args.join(" ")}\n  etcd:    ${JSON.stringify(nx)}\n  ${targetKind()}: ${JSON.stringify(ny)}`;
      const problem = verdict("etcdctl", c.args.join(" "), JSON.stringify(nx) !== JSON.stringify(ny), detail);
      if (problem) mismatches.push(problem);
    }
    expect(mismatches).toEqual([]);
  }, 60000);

  test("watch returns the next change; --recursive prints the action line; --after-index replays", async () => {
    const [ref, mine] = await sides();
    const run = async (s: Side) => {
      const base = s.ctx.base;
      const single = startCtl(s.server, ["watch", "--after-index", String(base), "/w/k"]);
      const rec = startCtl(s.server, ["watch", "--recursive", "--after-index", String(base), "/w"]);
      const set = await runCtl(s.server, ["set", "/w/k", "v1"]);
      const out = [await single.finish(), await rec.finish(), set];
      // A live watch (no --after-index) sees the next change only.
      const before = await watcherCount(s.server);
      const live = startCtl(s.server, ["watch", "/w/k"]);
      await untilWatchers(s.server, before + 1);
      await runCtl(s.server, ["update", "/w/k", "v2"]);
      out.push(await live.finish());
      return out.map((r) => normalized(s, r));
    };
    const [x, y] = await Promise.all([run(ref), run(mine)]);
    expect(x[0]!.stdout).toBe("v1\n");
    expect(x[1]!.stdout).toBe("[set] /w/k\nv1\n");
    expect(y).toEqual(x);
  }, 30000);

  test("exec-watch runs the command per event with the ETCD_WATCH_* environment", async () => {
    const [ref, mine] = await sides();
    const cmd = 'echo "$ETCD_WATCH_ACTION $ETCD_WATCH_KEY $ETCD_WATCH_VALUE idx=$ETCD_WATCH_MODIFIED_INDEX"';
    const run = async (s: Side) => {
      // etcdctl 3.4's exec-watch misbehaves with --after-index (replays the same events again) and
      // prints nothing for a non-recursive key, so watch live and wait for the registration.
      const before = await watcherCount(s.server);
      const w = startCtl(s.server, ["exec-watch", "--recursive", "/x", "--", "sh", "-c", cmd]);
      await untilWatchers(s.server, before + 1);
      await runCtl(s.server, ["set", "/x/a", "1"]);
      await runCtl(s.server, ["set", "/x/a", "2"]);
      await runCtl(s.server, ["rm", "/x/a"]);
      await w.waitLines(3);
      const r = await w.stop();
      // etcdctl starts the command per event without waiting for the previous one: any order.
      return normalizeOutput(s.ctx, r.stdout).trimEnd().split("\n").sort();
    };
    const [x, y] = await Promise.all([run(ref), run(mine)]);
    expect(x).toEqual(["delete /x/a  idx=#3", "set /x/a 1 idx=#1", "set /x/a 2 idx=#2"]);
    expect(y).toEqual(x);
  }, 30000);

  test("a listing longer than one chunk (server/api/listing.ts) lists what etcd lists", async () => {
    const [ref, mine] = await sides();
    const value = "v".repeat(2000);
    const run = async (s: Side) => {
      // 150 keys of 2 KB: about 330 KB of JSON, more than one 256 KB chunk.
      for (let i = 0; i < 150; i++) {
        const r = await fetch(`${s.server.clientURL}/v2/keys/big/d${i % 3}/k${i}`, { method: "PUT", body: new URLSearchParams({ value }) });
        expect(r.status).toBe(201);
      }
      return normalized(s, await runCtl(s.server, ["ls", "--sort", "--recursive", "/big"]));
    };
    const [x, y] = await Promise.all([run(ref), run(mine)]);
    expect(x.stdout.trimEnd().split("\n")).toHaveLength(153);
    expect(y).toEqual(x);
    const body = await (await fetch(`${mine.server.clientURL}/v2/keys/big?recursive=true`)).json();
    expect(body.node.nodes.flatMap((d: { nodes: unknown[] }) => d.nodes)).toHaveLength(150);
  }, 60000);

  test("an unreachable endpoint exits 2", async () => {
    const r = await runCtl({ ...pair().target, clientURL: "http://127.0.0.1:1" }, ["get", "/x"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("cluster is unavailable or misconfigured");
  });
});

if (skip) describe.skip(`etcdctl (${skip})`, () => {});
