// Recovery time: a data dir holding N keys (default 1,000,000) as one snapshot plus ~10,000 WAL
// entries after it; SIGKILL, then time from process start to the first successful GET of a key
// written after all the others (so the WAL tail has been replayed). etcbun beside etcd 3.4 (v2 API), same data
// written the same way through the v2 API, same --snapshot-count arithmetic.
// Run: bun bench/recovery.ts [--keys N] [--runs 3] [--dir D] [--clients 64] [--only etcbun|etcd]
//
// The dir defaults to /dev/shm: the files are in the page cache either way right after loading, so
// this measures the CPU cost of decoding and replaying, not the disk.
//
// Measured 2026-11-25, 1,000,000 keys, shared 2-core VM at load average 11-20 (rough):
//   etcbun: snapshot 990030 + 9976 entries, recovery median 14.4 s (14.1-19.4)
//   etcd:   snapshot 990001 + 10005 entries, recovery median 13.4 s (12.2-24.7)
//   (etcd with no snapshot yet, i.e. 1M entries of WAL: 40 s.)
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { MemberProcess } from "../test/support/member-process.ts";
import { putLoad } from "../test/support/put-load.ts";
import { etcdPath, type ServerKind } from "../test/support/servers.ts";

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

const keys = Number(flag("keys", "1000000"));
const runs = Number(flag("runs", "3"));
const clients = Number(flag("clients", "64"));
const root = mkdtempSync(join(flag("dir", "/dev/shm"), "etcbun-recovery-"));
/** Entries after the snapshot; a quarter of the keys at most so that only one snapshot is cut. */
const tail = Math.min(10_000, Math.floor(keys / 4));
const snapshotCount = keys - tail;
const LAST_KEY = "/bench-last";

interface Result {
  kind: ServerKind;
  snapshotIndex: number;
  lastIndex: number;
  loadSecs: number;
  recoveryMs: number[];
}

function newestSnapshotIndex(dataDir: string): number {
  const names = readdirSync(join(dataDir, "member", "snap")).filter((f) => f.endsWith(".snap")).sort();
  const last = names[names.length - 1];
  return last ? parseInt(last.slice(17, 33), 16) : 0;
}

async function firstGetMs(member: MemberProcess, key: string): Promise<number> {
  const run = member.start({ extraArgs: ["--snapshot-count", String(snapshotCount)] });
  for (;;) {
    if (run.proc.exitCode !== null) throw new Error(`${member.kind} exited while recovering:\n${run.output().slice(-2000)}`);
    try {
      const r = await fetch(`${member.clientURL}/v2/keys${key}`, { signal: AbortSignal.timeout(2000) });
      await r.arrayBuffer();
      if (r.status === 200) return performance.now() - run.startedAtMs;
    } catch {
      // Not listening yet.
    }
    await Bun.sleep(2);
  }
}

async function measure(kind: ServerKind): Promise<Result> {
  const member = await MemberProcess.create(join(root, kind), { kind });
  member.start({ extraArgs: ["--snapshot-count", String(snapshotCount)] });
  await member.waitWritable();
  const started = performance.now();
  let shown = 0;
  const load = await putLoad(member.clientURL, {
    clients,
    keys,
    onProgress: (acked) => {
      if (acked - shown >= 100_000) console.error(`${kind}: ${(shown = acked)} keys written`);
    },
  });
  if (load.failed > 0) {
    // Reported, not fatal: the data set is still N keys minus these, and the last key is checked below.
    console.error(`${kind}: ${load.failed} writes failed while loading, e.g.\n  ${load.failures.join("\n  ")}`);
    failures.push(`${kind}: ${load.failed} of ${keys} writes failed while loading (${load.failures[0]})`);
  }
  const loadSecs = (performance.now() - started) / 1000;
  // Written last, so a GET that finds it has waited for the whole WAL tail to be replayed.
  const r = await fetch(`${member.clientURL}/v2/keys${LAST_KEY}`, { method: "PUT", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: "value=1" });
  await r.arrayBuffer();
  const lastIndex = Number(r.headers.get("x-raft-index") ?? r.headers.get("x-etcd-index"));
  // etcd cuts its snapshot in the background; kill only once a snapshot file exists, or the
  // comparison would be against a full WAL replay.
  for (const until = Date.now() + 180_000; newestSnapshotIndex(member.dataDir) === 0 && Date.now() < until; ) await Bun.sleep(200);
  await member.kill("SIGKILL");
  const snapshotIndex = newestSnapshotIndex(member.dataDir);
  const recoveryMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    recoveryMs.push(await firstGetMs(member, LAST_KEY));
    await member.kill("SIGKILL");
  }
  return { kind, snapshotIndex, lastIndex, loadSecs, recoveryMs };
}

const results: Result[] = [];
const failures: string[] = [];
try {
  const only = flag("only", "");
  if (only !== "etcd") results.push(await measure("etcbun"));
  if (only === "etcbun") {
    // Asked for etcbun alone.
  } else if (etcdPath()) results.push(await measure("etcd"));
  else console.error("etcd is not installed; etcbun only");
} finally {
  rmSync(root, { recursive: true, force: true });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(`\nRecovery of ${keys} keys (--snapshot-count ${snapshotCount}), ${runs} restarts each, process start → first GET of the last key\n`);
console.log("| server | snapshot index | raft index | entries after snapshot | load (keys/s) | recovery median (ms) | min | max |");
console.log("| --- | --- | --- | --- | --- | --- | --- | --- |");
for (const f of failures) console.log(`> ${f}\n`);
for (const r of results) {
  const ms = r.recoveryMs;
  console.log(`| ${r.kind} | ${r.snapshotIndex} | ${r.lastIndex} | ${r.lastIndex - r.snapshotIndex} | ${(keys / r.loadSecs).toFixed(0)} | ${median(ms).toFixed(0)} | ${Math.min(...ms).toFixed(0)} | ${Math.max(...ms).toFixed(0)} |`);
}
