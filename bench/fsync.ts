// fsync-bound write throughput through the HTTP API of one member, at 1 and 64 concurrent
// keep-alive clients, beside the disk's own limit (a loop of one small write + fdatasync in the
// same directory, same run), with writes per fsync from each server's
// etcd_disk_wal_fsync_duration_seconds_count in /metrics. etcbun and etcd 3.4 (v2 API) alike.
// Run: bun bench/fsync.ts [--seconds 3] [--dir D]   (D must be a real disk, not tmpfs)
//
// Measured 2026-11-25 on the shared 2-core dev VM, /tmp on virtio disk, load average 11-20 (rough):
//   disk loop 244-381 fsyncs/s (varies between the two runs of the loop)
//   etcbun: 1 client 320-532 writes/s (1.0 per fsync); 64 clients 2116-2333 writes/s (26 per fsync)
//   etcd:   1 client 564-810 writes/s (1.0 per fsync); 64 clients 1429-2937 writes/s (18-20 per fsync)
import { closeSync, fdatasyncSync, fsyncSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MemberProcess } from "../test/support/member-process.ts";
import { putLoad } from "../test/support/put-load.ts";
import { etcdPath, type ServerKind } from "../test/support/servers.ts";

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

const seconds = Number(flag("seconds", "3"));
const root = mkdtempSync(join(flag("dir", tmpdir()), "etcbun-fsync-"));
const CLIENT_COUNTS = [1, 64];

interface Row {
  case: string;
  writesPerSec: number;
  fsyncsPerSec: number;
}

function diskLimit(): Row {
  const path = join(root, "disk-limit");
  const fd = openSync(path, "w");
  // Written and synced up front, as a WAL segment is preallocated: appending would grow the file
  // and make every fdatasync flush metadata too, which no WAL here pays.
  const area = 8 * 1024 * 1024;
  writeSync(fd, new Uint8Array(area));
  fsyncSync(fd);
  const record = new Uint8Array(128).fill(1);
  let syncs = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  try {
    while (performance.now() < deadline) {
      writeSync(fd, record, 0, record.length, (syncs * record.length) % area);
      fdatasyncSync(fd);
      syncs++;
    }
  } finally {
    closeSync(fd);
  }
  const rate = syncs / ((performance.now() - started) / 1000);
  return { case: "disk: 128-byte write + fdatasync loop (preallocated file)", writesPerSec: rate, fsyncsPerSec: rate };
}

async function fsyncCount(member: MemberProcess): Promise<number> {
  const text = await (await fetch(`${member.clientURL}/metrics`)).text();
  const m = /^etcd_disk_wal_fsync_duration_seconds_count (\d+)/m.exec(text);
  if (!m) throw new Error(`${member.kind} /metrics has no etcd_disk_wal_fsync_duration_seconds_count`);
  return Number(m[1]);
}

async function serverRows(kind: ServerKind): Promise<Row[]> {
  const member = await MemberProcess.create(join(root, kind), { kind });
  member.start();
  const rows: Row[] = [];
  try {
    await member.waitWritable();
    for (const clients of CLIENT_COUNTS) {
      const before = await fsyncCount(member);
      const load = await putLoad(member.clientURL, { clients, seconds, prefix: `/fsync${clients}` });
      const syncs = (await fsyncCount(member)) - before;
      if (load.failed > 0) console.error(`${kind}: ${load.failed} writes failed at ${clients} clients`);
      const secs = load.elapsedMs / 1000;
      rows.push({ case: `${kind}, ${clients} client${clients > 1 ? "s" : ""}`, writesPerSec: load.acked / secs, fsyncsPerSec: syncs / secs });
    }
  } finally {
    await member.kill("SIGKILL");
  }
  return rows;
}

const rows: Row[] = [];
try {
  rows.push(diskLimit());
  rows.push(...(await serverRows("etcbun")));
  if (etcdPath()) rows.push(...(await serverRows("etcd")));
  else console.error("etcd is not installed; etcbun only");
  rows.push({ ...diskLimit(), case: "disk again (load may have changed)" });
} finally {
  rmSync(root, { recursive: true, force: true });
}

console.log(`\nfsync-bound writes, ${seconds} s per case, data in ${flag("dir", tmpdir())}\n`);
console.log("| case | writes/s | fsyncs/s | writes per fsync |");
console.log("| --- | --- | --- | --- |");
for (const r of rows) console.log(`| ${r.case} | ${r.writesPerSec.toFixed(0)} | ${r.fsyncsPerSec.toFixed(0)} | ${(r.writesPerSec / r.fsyncsPerSec).toFixed(1)} |`);
