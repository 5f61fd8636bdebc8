// Recovery from what crashes and rot leave behind: torn tails are repaired once (with a
// `.broken` copy), anything else refuses to start naming the file and offset.
import { expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import type { Snapshot } from "../raft/types.ts";
import { RecordType } from "./codec.ts";
import type { Disk } from "./disk.ts";
import { WalCorruptError } from "./errors.ts";
import { FrameWriter } from "./frame.ts";
import { createWal, openWal } from "./open.ts";
import { RealDisk } from "./realDisk.ts";
import { scanSegment } from "./segment.ts";
import { SimDisk } from "./simDisk.ts";
import { writeSnapshotFile } from "./snapshotter.ts";
import { walContext } from "./context.ts";
import { DATA_DIR, META, entries, entry, simOptions } from "./test-helpers.ts";

const WAL_DIR = `${DATA_DIR}/member/wal`;
const SNAP_DIR = `${DATA_DIR}/member/snap`;

async function segmentPaths(disk: Disk): Promise<string[]> {
  return (await disk.list(WAL_DIR)).filter((n) => n.endsWith(".wal")).map((n) => `${WAL_DIR}/${n}`);
}

/** A WAL with entries 1..n (one save each, commit = index) on a small-segment sim disk. */
async function walWith(n: number, extra: Parameters<typeof simOptions>[1] = {}) {
  const disk = new SimDisk();
  const opts = simOptions(disk, extra);
  const wal = await createWal(DATA_DIR, META, opts);
  for (let i = 1; i <= n; i++) await wal.save({ term: 1, vote: "", commit: i }, [entry(i, 1, 40)]);
  await wal.close();
  return { disk, opts };
}

function endOfRecords(disk: SimDisk, path: string) {
  return scanSegment(disk.peek(path), { path, isLast: true });
}

function bigFrame(crc: number, index: number): Uint8Array {
  const w = new FrameWriter(crc);
  w.add({ type: RecordType.Entry, entry: entry(index, 1, 1500) });
  return w.take();
}

async function expectCorrupt(p: Promise<unknown>, file: string, offset: number, reason: RegExp) {
  const err = await p.then(() => null, (e) => e);
  expect(err).toBeInstanceOf(WalCorruptError);
  expect(err.file).toBe(file);
  expect(err.offset).toBe(offset);
  expect(err.message).toMatch(reason);
  expect(err.message).toContain(file);
  expect(err.message).toContain(`offset ${offset}`);
}

test("torn tail, partial record: repaired once with a .broken copy, then appends continue", async () => {
  const { disk, opts } = await walWith(5, { segmentSizeBytes: 8192 });
  const [path] = await segmentPaths(disk);
  const scan = endOfRecords(disk, path!);
  const frame = bigFrame(scan.crc, 6);
  const f = await disk.open(path!);
  await f.write(scan.endOffset, frame.subarray(0, 700)); // the rest never reached the platter
  await f.fsync();
  const r = await openWal(DATA_DIR, opts);
  expect(r.entries.map((e) => e.index)).toEqual([1, 2, 3, 4, 5]);
  expect(opts.lines.filter((l) => l.includes("repaired torn tail"))).toHaveLength(1);
  expect(opts.lines[0]).toContain(`${path} at offset ${scan.endOffset}`);
  expect([...disk.peek(`${path}.broken`)].slice(0, 700)).toEqual([...frame.subarray(0, 700)]);
  await r.wal.save({ term: 1, vote: "", commit: 7 }, entries(6, 7, 1, 40));
  await r.wal.close();
  opts.lines.length = 0;
  const again = await openWal(DATA_DIR, opts);
  expect(again.entries.map((e) => e.index)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  expect(opts.lines).toEqual([]);
});

test("torn tail, zeroed sector inside the last record and stray bytes after the end are repaired", async () => {
  for (const damage of ["zeroed sector", "stray bytes"] as const) {
    const { disk, opts } = await walWith(5, { segmentSizeBytes: 8192 });
    const [path] = await segmentPaths(disk);
    const scan = endOfRecords(disk, path!);
    const f = await disk.open(path!);
    if (damage === "zeroed sector") {
      const frame = bigFrame(scan.crc, 6);
      const sectorStart = (Math.floor(scan.endOffset / 512) + 1) * 512;
      frame.fill(0, sectorStart - scan.endOffset, sectorStart - scan.endOffset + 512);
      await f.write(scan.endOffset, frame);
    } else {
      await f.write(scan.endOffset + 1024, Uint8Array.of(1, 2, 3));
    }
    await f.fsync();
    const r = await openWal(DATA_DIR, opts);
    expect(r.entries.map((e) => e.index)).toEqual([1, 2, 3, 4, 5]);
    expect(opts.lines.join("\n")).toMatch(/repaired torn tail/);
    await r.wal.save(undefined, [entry(6, 1, 40)]);
    await r.wal.close();
    expect((await openWal(DATA_DIR, opts)).entries.length).toBe(6);
  }
});

test("a record past the end of a segment that was not preallocated counts as torn", async () => {
  const { disk, opts } = await walWith(3, { segmentSizeBytes: 0 });
  const path = (await segmentPaths(disk)).pop()!;
  const scan = endOfRecords(disk, path);
  const f = await disk.open(path);
  await f.write(scan.endOffset, bigFrame(scan.crc, 4).subarray(0, 100));
  await f.fsync();
  const r = await openWal(DATA_DIR, opts);
  expect(r.entries.length).toBe(3);
  expect(opts.lines.join("\n")).toMatch(/runs past end of file/);
});

test("a bit flip in an earlier segment, mid last segment, or in the last record refuses to start", async () => {
  const { disk, opts } = await walWith(40, { segmentSizeBytes: 2048 });
  const paths = await segmentPaths(disk);
  expect(paths.length).toBeGreaterThan(2);
  const cases = [
    { path: paths[0]!, pick: (_n: number) => 3 },
    { path: paths[paths.length - 1]!, pick: (n: number) => Math.floor(n / 2) },
    { path: paths[paths.length - 1]!, pick: (n: number) => n - 1 },
  ];
  for (const c of cases) {
    const recs = endOfRecords(disk, c.path).records;
    const victim = recs[c.pick(recs.length)]!;
    const at = victim.offset + 20; // inside the payload
    disk.flipBit(c.path, at, 3);
    await expectCorrupt(openWal(DATA_DIR, opts), c.path, victim.offset, /crc mismatch/);
    disk.flipBit(c.path, at, 3);
  }
  // A flip in a length word is caught by the word's own check, before its length is believed.
  const recs = endOfRecords(disk, paths[1]!).records;
  disk.flipBit(paths[1]!, recs[3]!.offset + 2, 7);
  await expectCorrupt(openWal(DATA_DIR, opts), paths[1]!, recs[3]!.offset, /length word/);
  disk.flipBit(paths[1]!, recs[3]!.offset + 2, 7);
  expect((await openWal(DATA_DIR, opts)).entries.length).toBe(40);
});

test("a missing segment refuses to start", async () => {
  const { disk, opts } = await walWith(40, { segmentSizeBytes: 2048 });
  const paths = await segmentPaths(disk);
  await disk.unlink(paths[1]!);
  await expectCorrupt(openWal(DATA_DIR, opts), paths[2]!, 0, /missing segment: sequence jumps from 0 to 2/);
  await disk.unlink(paths[0]!);
  await expectCorrupt(openWal(DATA_DIR, opts), paths[2]!, 0, /missing segment: the WAL starts after index \d+ but no usable snapshot/);
});

test("a hard state committing past the end of the log refuses to start", async () => {
  const disk = new SimDisk();
  const opts = simOptions(disk);
  const wal = await createWal(DATA_DIR, META, opts);
  await wal.save({ term: 1, vote: "", commit: 9 }, entries(1, 5));
  await wal.close();
  const [path] = await segmentPaths(disk);
  await expectCorrupt(openWal(DATA_DIR, opts), path!, endOfRecords(disk, path!).endOffset, /missing entries: commit index 9 but the log ends at 5/);
});

const snap = (index: number, term: number): Snapshot => ({
  metadata: { index, term, confState: { voters: ["1"], learners: [] } },
  data: new TextEncoder().encode(`state at ${index}`),
});

test("a snapshot failing its checksum is renamed .broken and the next older one is used", async () => {
  const disk = new SimDisk();
  const opts = simOptions(disk, { segmentSizeBytes: 1 << 16 });
  const wal = await createWal(DATA_DIR, META, opts);
  await wal.save({ term: 1, vote: "", commit: 20 }, entries(1, 20));
  await wal.saveSnapshot(snap(10, 1));
  await wal.saveSnapshot(snap(20, 1));
  await wal.save({ term: 1, vote: "", commit: 22 }, entries(21, 22));
  await wal.close();
  const newest = `${SNAP_DIR}/0000000000000001-0000000000000014.snap`;
  disk.flipBit(newest, 30, 1);
  const r = await openWal(DATA_DIR, opts);
  expect(r.snapshot).toEqual(snap(10, 1));
  expect(r.entries).toEqual(entries(11, 22));
  expect(await disk.list(SNAP_DIR)).toEqual(["0000000000000001-000000000000000a.snap", "0000000000000001-0000000000000014.snap.broken"]);
  expect(opts.lines.join("\n")).toContain(`${newest} fails its checksum`);
});

test("a snapshot file whose WAL marker never got written is skipped", async () => {
  const disk = new SimDisk();
  const opts = simOptions(disk);
  const wal = await createWal(DATA_DIR, META, opts);
  await wal.save({ term: 1, vote: "", commit: 5 }, entries(1, 5));
  await wal.close();
  await writeSnapshotFile(walContext(DATA_DIR, opts), snap(9, 3)); // no such entry or marker
  const r = await openWal(DATA_DIR, opts);
  expect(r.snapshot).toBeNull();
  expect(r.entries.length).toBe(5);
  expect(opts.lines.join("\n")).toMatch(/no matching record in the WAL/);
});

test("on the real file system: a torn tail is repaired and a rotten middle refuses to start", async () => {
  const root = mkdtempSync(`${tmpdir()}/etcbun-walrec-`);
  try {
    const lines: string[] = [];
    const opts = { disk: new RealDisk(), segmentSizeBytes: 1 << 16, log: (l: string) => lines.push(l) };
    const wal = await createWal(root, META, opts);
    for (let i = 1; i <= 10; i++) await wal.save({ term: 1, vote: "", commit: i }, [entry(i, 1, 40)]);
    await wal.close();
    const path = `${root}/member/wal/0000000000000000-0000000000000000.wal`;
    const bytes = new Uint8Array(readFileSync(path));
    const scan = scanSegment(bytes, { path, isLast: true });
    const torn = bytes.slice();
    torn.set(bigFrame(scan.crc, 11).subarray(0, 600), scan.endOffset);
    writeFileSync(path, torn);
    const r = await openWal(root, opts);
    expect(r.entries.length).toBe(10);
    expect(existsSync(`${path}.broken`)).toBe(true);
    await r.wal.close();
    const rotten = new Uint8Array(readFileSync(path));
    rotten[scan.records[5]!.offset + 16]! ^= 0x10;
    writeFileSync(path, rotten);
    await expectCorrupt(openWal(root, opts), path, scan.records[5]!.offset, /crc mismatch/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
