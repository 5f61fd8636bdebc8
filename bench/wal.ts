// WAL append throughput bound by fsync: 1 and 64 concurrent writers through group commit,
// beside the disk's own limit (a loop of one small write + fdatasync) measured in the same run,
// for both RealDisk flavours (thread-pool async and blocking *Sync calls).
// Run: bun bench/wal.ts [secondsPerCase=2] [dir=$TMPDIR]
//
// Measured 2026-11-25 on the shared 2-core dev VM (load average ~11, so treat as rough):
//   disk limit (write+fdatasync loop)  async 1344/s   blocking 416/s
//   wal.save, 1 writer                 async 1506/s   blocking 390/s   (1 write per fsync)
//   wal.save, 64 writers               async 41181/s  blocking 13237/s (64 writes per fsync)
//   CRC32C 545 MB/s once the JIT is warm.
// Group commit turns the fsync limit into a batch limit; the async Disk wins because the event
// loop keeps queueing saves while a sync runs on the thread pool, so it is RealDisk's default.
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { crc32c } from "../server/wal/crc32c.ts";
import { createWal } from "../server/wal/open.ts";
import { RealDisk } from "../server/wal/realDisk.ts";
import { EntryType } from "../server/raft/types.ts";

const seconds = Number(process.argv[2] ?? 2);
const root = fs.mkdtempSync(`${process.argv[3] ?? tmpdir()}/etcbun-walbench-`);
const payload = new Uint8Array(100).fill(7);

interface Row {
  case: string;
  writesPerSec: number;
  syncsPerSec: number;
  writesPerSync: number;
}
const rows: Row[] = [];

async function rawDiskLimit(blocking: boolean): Promise<void> {
  const path = `${root}/raw-${blocking}`;
  const fd = fs.openSync(path, "w+");
  fs.ftruncateSync(fd, 64e6);
  const rec = new Uint8Array(128).fill(1);
  const writeAt = blocking
    ? async (o: number) => void fs.writeSync(fd, rec, 0, rec.length, o)
    : (o: number) => new Promise<void>((res, rej) => fs.write(fd, rec, 0, rec.length, o, (e) => (e ? rej(e) : res())));
  const sync = blocking ? async () => fs.fdatasyncSync(fd) : () => new Promise<void>((res, rej) => fs.fdatasync(fd, (e) => (e ? rej(e) : res())));
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    await writeAt(n * 128);
    await sync();
    n++;
  }
  const secs = (performance.now() - t0) / 1000;
  fs.closeSync(fd);
  rows.push({ case: `disk limit: write+fdatasync loop (${blocking ? "blocking" : "async"})`, writesPerSec: n / secs, syncsPerSec: n / secs, writesPerSync: 1 });
}

async function walWriters(writers: number, blocking: boolean): Promise<void> {
  const dir = `${root}/wal-${writers}-${blocking}`;
  const wal = await createWal(dir, { memberId: "1", clusterId: "2" }, { disk: new RealDisk({ blocking }), log: () => {} });
  let index = 0;
  let writes = 0;
  const t0 = performance.now();
  const deadline = t0 + seconds * 1000;
  const syncs0 = wal.syncCount;
  await Promise.all(
    Array.from({ length: writers }, async () => {
      while (performance.now() < deadline) {
        index++;
        await wal.save({ term: 1, vote: "1", commit: index - 1 }, [{ term: 1, index, type: EntryType.Normal, data: payload }]);
        writes++;
      }
    }),
  );
  const secs = (performance.now() - t0) / 1000;
  const syncs = wal.syncCount - syncs0;
  await wal.close();
  rows.push({ case: `wal.save, ${writers} concurrent writer${writers > 1 ? "s" : ""} (${blocking ? "blocking" : "async"})`, writesPerSec: writes / secs, syncsPerSec: syncs / secs, writesPerSync: writes / syncs });
}

function crcThroughput(): string {
  const buf = new Uint8Array(16 << 20).fill(3);
  for (let i = 0; i < 4; i++) crc32c(buf); // let the JIT reach its top tier first
  const t0 = performance.now();
  for (let i = 0; i < 8; i++) crc32c(buf);
  return `${((8 * 16) / ((performance.now() - t0) / 1000)).toFixed(0)} MB/s`;
}

try {
  for (const blocking of [false, true]) {
    await rawDiskLimit(blocking);
    await walWriters(1, blocking);
    await walWriters(64, blocking);
  }
  console.log(`WAL bench in ${root} (${seconds}s per case, 100-byte entries, 64 MB preallocated segments)`);
  console.table(rows.map((r) => ({ case: r.case, "writes/s": Math.round(r.writesPerSec), "fsyncs/s": Math.round(r.syncsPerSec), "writes/fsync": r.writesPerSync.toFixed(1) })));
  console.log(`CRC32C: ${crcThroughput()}`);
} finally {
  fs.rmSync(root, { recursive: true, force: true });
}
