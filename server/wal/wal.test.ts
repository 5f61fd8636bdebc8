import { expect, test } from "bun:test";
import { RealDisk } from "./realDisk.ts";
import { SimDisk } from "./simDisk.ts";
import { createWal, openWal, walExists } from "./open.ts";
import { DATA_DIR, META, entries, entry, simOptions } from "./test-helpers.ts";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import type { Snapshot } from "../raft/types.ts";

const snap = (index: number, term: number, bytes = 100): Snapshot => ({
  metadata: { index, term, confState: { voters: ["9e737febb6b99eee", "2"], learners: ["3"] } },
  data: Uint8Array.from({ length: bytes }, (_, i) => (i * 13 + index) & 0xff),
});

test("create, save, reopen: hard state and entries come back; metadata is checked", async () => {
  const disk = new SimDisk();
  const opts = simOptions(disk);
  expect(await walExists(DATA_DIR, opts)).toBe(false);
  const wal = await createWal(DATA_DIR, META, opts);
  expect(await walExists(DATA_DIR, opts)).toBe(true);
  await expect(createWal(DATA_DIR, META, opts)).rejects.toThrow(/already holds a WAL/);
  await wal.save({ term: 1, vote: "9e737febb6b99eee", commit: 0 }, entries(1, 3));
  await wal.save({ term: 2, vote: "", commit: 3 }, [entry(4, 2)]);
  await wal.close();
  await expect(wal.save(undefined, [entry(5, 2)])).rejects.toThrow(/closed/);

  const r = await openWal(DATA_DIR, { ...opts, metadata: META });
  expect(r.metadata).toEqual(META);
  expect(r.hardState).toEqual({ term: 2, vote: "", commit: 3 });
  expect(r.snapshot).toBeNull();
  expect(r.entries).toEqual([...entries(1, 3), entry(4, 2)]);
  await r.wal.save(undefined, [entry(5, 2)]);
  await r.wal.close();
  await expect(openWal(DATA_DIR, { ...opts, metadata: { ...META, clusterId: "1" } })).rejects.toThrow(/metadata mismatch/);
  expect((await openWal(DATA_DIR, opts)).entries.map((e) => e.index)).toEqual([1, 2, 3, 4, 5]);
});

test("later entries with the same index replace the earlier ones and everything after them", async () => {
  const disk = new SimDisk();
  const opts = simOptions(disk);
  const wal = await createWal(DATA_DIR, META, opts);
  await wal.save({ term: 1, vote: "", commit: 2 }, entries(1, 6, 1));
  await wal.save({ term: 2, vote: "", commit: 2 }, entries(4, 5, 2));
  await wal.close();
  const r = await openWal(DATA_DIR, opts);
  expect(r.entries).toEqual([...entries(1, 3, 1), ...entries(4, 5, 2)]);
  expect(r.wal.lastIndex).toBe(5);
});

test("group commit: saves issued while a sync is pending share it; order is kept", async () => {
  const disk = new SimDisk();
  const opts = simOptions(disk, { segmentSizeBytes: 1 << 20 });
  const wal = await createWal(DATA_DIR, META, opts);
  let syncs = 0;
  disk.injectFaults((op) => {
    if (op.kind === "fdatasync") syncs++;
    return undefined;
  });
  // 64 writers, each saving 3 entries one after another: every round of 64 is one batch.
  let next = 0;
  const acked: number[] = [];
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      for (let round = 0; round < 3; round++) {
        const index = ++next;
        await wal.save({ term: 1, vote: "", commit: index - 1 }, [entry(index)]);
        acked.push(index);
      }
    }),
  );
  expect(acked.length).toBe(192);
  expect(syncs).toBe(3);
  expect(wal.syncCount).toBe(3);
  await wal.close();
  const r = await openWal(DATA_DIR, opts);
  expect(r.entries.map((e) => e.index)).toEqual(Array.from({ length: 192 }, (_, i) => i + 1));
  expect(r.hardState.commit).toBe(191);
});

test("segments are cut at the size limit with etcd's names and replay across them", async () => {
  const disk = new SimDisk();
  const opts = simOptions(disk, { segmentSizeBytes: 2048 });
  const wal = await createWal(DATA_DIR, META, opts);
  for (let i = 1; i <= 100; i++) await wal.save({ term: 1, vote: "", commit: i - 1 }, [entry(i, 1, 40)]);
  const names = (await disk.list(`${DATA_DIR}/member/wal`)).filter((n) => n.endsWith(".wal"));
  expect(names.length).toBeGreaterThan(3);
  expect(names[0]).toBe("0000000000000000-0000000000000000.wal");
  expect(names[1]).toMatch(/^0000000000000001-00000000000000[0-9a-f]{2}\.wal$/);
  await wal.close();
  const r = await openWal(DATA_DIR, opts);
  expect(r.entries).toEqual(Array.from({ length: 100 }, (_, i) => entry(i + 1, 1, 40)));
  expect(r.hardState.commit).toBe(99);
});

test("snapshots: file written, marker recorded, segments released beyond maxWals, old snapshots purged", async () => {
  const disk = new SimDisk();
  const opts = simOptions(disk, { segmentSizeBytes: 1024, maxWals: 2, maxSnapshots: 2 });
  const wal = await createWal(DATA_DIR, META, opts);
  let index = 0;
  for (let round = 1; round <= 4; round++) {
    for (let i = 0; i < 20; i++) {
      index++;
      await wal.save({ term: 1, vote: "", commit: index }, [entry(index, 1, 40)]);
    }
    await wal.saveSnapshot(snap(index, 1));
  }
  const snaps = (await disk.list(`${DATA_DIR}/member/snap`)).filter((n) => n.endsWith(".snap"));
  expect(snaps).toEqual(["0000000000000001-000000000000003c.snap", "0000000000000001-0000000000000050.snap"]);
  const segs = (await disk.list(`${DATA_DIR}/member/wal`)).filter((n) => n.endsWith(".wal"));
  expect(segs.length).toBe(2);
  expect(segs[0]!.startsWith("0000000000000000-")).toBe(false);
  await wal.save({ term: 1, vote: "", commit: 82 }, entries(81, 82, 1, 40));
  await wal.close();
  const r = await openWal(DATA_DIR, opts);
  expect(r.snapshot).toEqual(snap(80, 1));
  expect(r.entries).toEqual(entries(81, 82, 1, 40));
  expect(r.hardState.commit).toBe(82);
});

test("a saved snapshot's data reads back from its file until it is purged", async () => {
  const disk = new SimDisk();
  const opts = { ...simOptions(disk), maxSnapshots: 1 };
  const wal = await createWal(DATA_DIR, META, opts);
  await wal.save({ term: 1, vote: "", commit: 10 }, entries(1, 10));
  await wal.saveSnapshot(snap(5, 1, 5000));
  expect(await wal.snapshotData({ index: 5, term: 1 })).toEqual(snap(5, 1, 5000).data);
  await expect(wal.snapshotData({ index: 5, term: 2 })).rejects.toThrow();
  await wal.saveSnapshot(snap(10, 1, 300));
  expect(await wal.snapshotData({ index: 10, term: 1 })).toEqual(snap(10, 1, 300).data);
  await expect(wal.snapshotData({ index: 5, term: 1 })).rejects.toThrow();
  await wal.close();
});

test("releaseTo never releases past the newest durable snapshot", async () => {
  const disk = new SimDisk();
  const opts = simOptions(disk, { segmentSizeBytes: 1024, maxWals: 1 });
  const wal = await createWal(DATA_DIR, META, opts);
  for (let i = 1; i <= 60; i++) await wal.save(undefined, [entry(i, 1, 40)]);
  const before = wal.segmentPaths.length;
  await wal.releaseTo(60);
  expect(wal.segmentPaths.length).toBe(before);
  await wal.close();
  expect((await openWal(DATA_DIR, opts)).entries.length).toBe(60);
});

test("a received snapshot past the end of the log restarts the log after it", async () => {
  const disk = new SimDisk();
  const opts = simOptions(disk);
  const wal = await createWal(DATA_DIR, META, opts);
  await wal.save({ term: 1, vote: "", commit: 2 }, entries(1, 3));
  await wal.saveSnapshot(snap(100, 5));
  await wal.save({ term: 5, vote: "", commit: 101 }, entries(101, 102, 5));
  await wal.close();
  const r = await openWal(DATA_DIR, opts);
  expect(r.snapshot?.metadata.index).toBe(100);
  expect(r.entries).toEqual(entries(101, 102, 5));
});

test("runs unchanged on the real file system, with etcd's layout and 64 MB preallocated segments", async () => {
  const root = mkdtempSync(`${tmpdir()}/etcbun-wal-`);
  try {
    for (const blocking of [false, true]) {
      const dir = `${root}/${blocking ? "b" : "a"}`;
      // Only one round pays for reading back a full 64 MB preallocated segment.
      const opts = { disk: new RealDisk({ blocking }), log: () => {}, segmentSizeBytes: blocking ? 1 << 16 : undefined };
      const wal = await createWal(dir, META, opts);
      await wal.save({ term: 1, vote: "", commit: 1 }, entries(1, 10));
      await wal.saveSnapshot(snap(5, 1, 3 << 20));
      await wal.close();
      expect(readdirSync(`${dir}/member/wal`)).toEqual(["0000000000000000-0000000000000000.wal"]);
      expect(statSync(`${dir}/member/wal/0000000000000000-0000000000000000.wal`).size).toBe(blocking ? 1 << 16 : 64_000_000);
      expect(readdirSync(`${dir}/member/snap`)).toEqual(["0000000000000001-0000000000000005.snap"]);
      const r = await openWal(dir, opts);
      expect(r.snapshot).toEqual(snap(5, 1, 3 << 20));
      expect(r.entries).toEqual(entries(6, 10));
      await r.wal.close();
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("a large snapshot file is written while appends keep completing", async () => {
  const disk = new SimDisk();
  const opts = simOptions(disk, { segmentSizeBytes: 1 << 20 });
  const wal = await createWal(DATA_DIR, META, opts);
  await wal.save({ term: 1, vote: "", commit: 10 }, entries(1, 10));
  const trace: string[] = [];
  disk.injectFaults((op) => {
    if (op.path.endsWith(".snap.tmp") && op.kind === "write") trace.push("snap-chunk");
    if (op.path.endsWith(".wal") && op.kind === "fdatasync") trace.push("wal-sync");
    return undefined;
  });
  const snapshotDone = wal.saveSnapshot(snap(10, 1, 6 << 20)).then(() => trace.push("snapshot-done"));
  for (let i = 11; i <= 14; i++) await wal.save(undefined, [entry(i)]);
  await snapshotDone;

  const firstChunk = trace.indexOf("snap-chunk");
  const lastChunk = trace.lastIndexOf("snap-chunk");
  const syncsDuringSnapshot = trace.slice(firstChunk, lastChunk).filter((t) => t === "wal-sync").length;
  // Appends are synced between chunks of the snapshot file rather than queued behind all of it.
  expect(syncsDuringSnapshot).toBeGreaterThanOrEqual(2);
  await wal.close();
  const r = await openWal(DATA_DIR, opts);
  expect(r.snapshot?.metadata.index).toBe(10);
  expect(r.entries.map((e) => e.index)).toEqual([11, 12, 13, 14]);
});

test("saves issued right after a received snapshot wait for its marker, so replay never sees a gap", async () => {
  const disk = new SimDisk();
  const opts = simOptions(disk);
  const wal = await createWal(DATA_DIR, META, opts);
  await wal.save({ term: 1, vote: "", commit: 3 }, entries(1, 3));
  // Not awaited: the member may pipeline the Ready's snapshot and the entries that follow it.
  const installed = wal.saveSnapshot(snap(100, 4, 3 << 20));
  const after = wal.save({ term: 4, vote: "", commit: 102 }, entries(101, 102, 4));
  // A local snapshot inside the log does not hold anything back.
  await Promise.all([installed, after]);
  const local = wal.saveSnapshot(snap(101, 4));
  await wal.save({ term: 4, vote: "", commit: 103 }, [entry(103, 4)]);
  await local;
  await wal.close();
  const r = await openWal(DATA_DIR, opts);
  expect(r.snapshot?.metadata.index).toBe(101);
  expect(r.entries.map((e) => e.index)).toEqual([102, 103]);
});

test("a save that cannot be encoded rejects alone; the WAL and other saves carry on", async () => {
  const disk = new SimDisk();
  const opts = simOptions(disk);
  const wal = await createWal(DATA_DIR, META, opts);
  const good = wal.save(undefined, [entry(1)]);
  const bad = wal.save({ term: 1, vote: "not-hex", commit: 0 }, [entry(2)]);
  const badIndex = wal.save(undefined, [{ ...entry(2), index: -1 }]);
  await expect(bad).rejects.toThrow();
  await expect(badIndex).rejects.toThrow(RangeError);
  await good;
  await wal.save(undefined, [entry(2)]);
  expect(wal.failure).toBeNull();
  await wal.close();
  expect((await openWal(DATA_DIR, opts)).entries.map((e) => e.index)).toEqual([1, 2]);
});

test("walDir puts segments outside the data dir (etcd's --wal-dir); snapshots stay in member/snap", async () => {
  const disk = new SimDisk();
  const opts = simOptions(disk, { walDir: "/fast/wal" });
  const wal = await createWal(DATA_DIR, META, opts);
  await wal.save({ term: 1, vote: "", commit: 2 }, entries(1, 2));
  await wal.saveSnapshot(snap(2, 1));
  await wal.close();
  expect(await disk.list("/fast/wal")).toEqual(["0000000000000000-0000000000000000.wal"]);
  expect(await disk.list(`${DATA_DIR}/member/snap`)).toEqual(["0000000000000001-0000000000000002.snap"]);
  expect(await walExists(DATA_DIR, simOptions(disk))).toBe(false);
  expect((await openWal(DATA_DIR, opts)).snapshot?.metadata.index).toBe(2);
});

test("a bare hard state saved with sync: false is written without its own fdatasync and made durable by the next synced save", async () => {
  const disk = new SimDisk();
  const opts = simOptions(disk);
  const wal = await createWal(DATA_DIR, META, opts);
  await wal.save({ term: 1, vote: "9e737febb6b99eee", commit: 0 }, entries(1, 3));
  const synced = wal.syncCount;
  await wal.save({ term: 1, vote: "9e737febb6b99eee", commit: 2 }, [], { sync: false });
  expect(wal.syncCount).toBe(synced);
  // Entries always sync, whatever the caller asks.
  await wal.save({ term: 1, vote: "9e737febb6b99eee", commit: 3 }, [entry(4, 1)], { sync: false });
  expect(wal.syncCount).toBe(synced + 1);
  await wal.save({ term: 1, vote: "9e737febb6b99eee", commit: 4 }, [], { sync: false });
  // Power loss: the unsynced commit may go, never an entry or anything synced before it.
  disk.crash("loseAll");
  const r = await openWal(DATA_DIR, { ...opts, metadata: META });
  expect(r.entries.map((e) => e.index)).toEqual([1, 2, 3, 4]);
  expect(r.hardState).toEqual({ term: 1, vote: "9e737febb6b99eee", commit: 3 });
  await r.wal.close();
});

/** Frames from the start of a segment up to the zeros after the last one. */
function frameCount(bytes: Uint8Array): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let frames = 0;
  for (let at = 0; at + 8 <= bytes.length && view.getUint32(at, true) !== 0; frames++) at += (12 + view.getUint32(at, true) + 7) & ~7;
  return frames;
}

test("a bare hard state saved with sync: false waits for the next save and goes out in its batch; a newer one replaces it", async () => {
  const disk = new SimDisk();
  const opts = simOptions(disk);
  const wal = await createWal(DATA_DIR, META, opts);
  await wal.save({ term: 1, vote: "9e737febb6b99eee", commit: 0 }, entries(1, 3));
  const path = wal.segmentPaths[0]!;
  const before = await disk.readFile(path);
  let settled = 0;
  const held = [2, 3].map((commit) => wal.save({ term: 1, vote: "9e737febb6b99eee", commit }, [], { sync: false }).then(() => settled++));
  await Bun.sleep(5);
  // Nothing written yet, nothing settled: they wait for a batch to ride along with.
  expect(await disk.readFile(path)).toEqual(before);
  expect(settled).toBe(0);
  const synced = wal.syncCount;
  await wal.save(undefined, [entry(4, 1)]);
  await Promise.all(held);
  expect(settled).toBe(2);
  expect(wal.syncCount).toBe(synced + 1);
  // One batch, and the replaced hard state (commit 2) never reached the file: two frames, not three.
  expect(frameCount(await disk.readFile(path))).toBe(frameCount(before) + 2);
  const r = await openWal(DATA_DIR, { ...opts, metadata: META });
  expect(r.hardState).toEqual({ term: 1, vote: "9e737febb6b99eee", commit: 3 });
  expect(r.entries.map((e) => e.index)).toEqual([1, 2, 3, 4]);
  await r.wal.close();
  await wal.close();
});

test("a held hard state is written on its own after a while, and by close", async () => {
  const disk = new SimDisk();
  const opts = simOptions(disk);
  const wal = await createWal(DATA_DIR, META, opts);
  await wal.save({ term: 1, vote: "9e737febb6b99eee", commit: 0 }, entries(1, 3));
  const alone = wal.save({ term: 1, vote: "9e737febb6b99eee", commit: 2 }, [], { sync: false });
  const t0 = performance.now();
  await alone;
  expect(performance.now() - t0).toBeLessThan(1000);
  expect((await openWal(DATA_DIR, { ...opts, metadata: META })).hardState?.commit).toBe(2);
  void wal.save({ term: 1, vote: "9e737febb6b99eee", commit: 3 }, [], { sync: false });
  await wal.close();
  const r = await openWal(DATA_DIR, { ...opts, metadata: META });
  expect(r.hardState?.commit).toBe(3);
  await r.wal.close();
});

test("batches framed in one reused buffer leave zeros in every frame's padding", async () => {
  const disk = new SimDisk();
  const opts = simOptions(disk);
  const wal = await createWal(DATA_DIR, META, opts);
  const filled = (index: number, bytes: number) => ({ ...entry(index, 1, bytes), data: new Uint8Array(bytes).fill(0xff) });
  // A long batch of 0xff bytes, then short ones whose padding falls where those bytes were.
  await wal.save({ term: 1, vote: META.memberId, commit: 0 }, [filled(1, 1001), filled(2, 999)]);
  for (let i = 3; i < 10; i++) await wal.save({ term: 1, vote: META.memberId, commit: i - 1 }, [filled(i, i)]);
  await wal.save({ term: 1, vote: "", commit: 9 }, [], { sync: false });
  await wal.close();
  const bytes = await disk.readFile(wal.segmentPaths[0]!);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let frames = 0;
  for (let at = 0; at + 8 <= bytes.length && view.getUint32(at, true) !== 0; frames++) {
    const length = view.getUint32(at, true);
    const size = (12 + length + 7) & ~7;
    expect([...bytes.subarray(at + 12 + length, at + size)].every((b) => b === 0)).toBe(true);
    at += size;
  }
  expect(frames).toBeGreaterThanOrEqual(2 + 10 + 9);
  const r = await openWal(DATA_DIR, opts);
  expect(r.entries.map((e) => e.data.length)).toEqual([1001, 999, 3, 4, 5, 6, 7, 8, 9]);
  expect(r.hardState).toEqual({ term: 1, vote: "", commit: 9 });
});
