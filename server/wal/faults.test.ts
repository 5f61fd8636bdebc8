// Disk full and I/O errors: the WAL stops (every later save rejects, the cause is exposed), what
// is on disk stays readable, and after a restart with the fault gone it carries on.
import { expect, test } from "bun:test";
import { errorCode } from "./disk.ts";
import { DiskError } from "./disk.ts";
import { WalFailedError } from "./errors.ts";
import { createWal, openWal } from "./open.ts";
import { SimDisk } from "./simDisk.ts";
import { DATA_DIR, META, entries, entry, simOptions } from "./test-helpers.ts";

async function fillUntilFailure(opts: ReturnType<typeof simOptions>) {
  const wal = await createWal(DATA_DIR, META, opts);
  let acked = 0;
  let failure: unknown;
  for (let i = 1; i <= 500 && !failure; i++) {
    await wal.save({ term: 1, vote: "", commit: i }, [entry(i, 1, 200)]).then(
      () => void (acked = i),
      (e) => void (failure = e),
    );
  }
  return { wal, acked, failure };
}

test("disk full: saves reject with the cause, nothing acknowledged is lost, restart with space recovers", async () => {
  for (const segmentSizeBytes of [4096, 0]) {
    const disk = new SimDisk({ capacityBytes: 20_000 });
    const opts = simOptions(disk, { segmentSizeBytes });
    const { wal, acked, failure } = await fillUntilFailure(opts);
    expect(failure).toBeInstanceOf(WalFailedError);
    expect(errorCode((failure as WalFailedError).cause)).toBe("ENOSPC");
    expect(wal.failure).toBe(failure as WalFailedError);
    expect(acked).toBeGreaterThan(10);
    await expect(wal.save(undefined, [entry(acked + 1)])).rejects.toBeInstanceOf(WalFailedError);
    await expect(wal.saveSnapshot({ metadata: { index: 1, term: 1, confState: { voters: [], learners: [] } }, data: new Uint8Array(1) })).rejects.toBeInstanceOf(WalFailedError);
    expect(opts.lines.some((l) => l.includes("ENOSPC"))).toBe(true);

    disk.capacityBytes = Number.POSITIVE_INFINITY;
    const r = await openWal(DATA_DIR, opts);
    expect(r.entries.length).toBeGreaterThanOrEqual(acked);
    expect(r.entries.slice(0, acked)).toEqual(Array.from({ length: acked }, (_, i) => entry(i + 1, 1, 200)));
    const next = r.entries.length + 1;
    await r.wal.save({ term: 1, vote: "", commit: next }, entries(next, next + 20, 1, 200));
    await r.wal.close();
    expect((await openWal(DATA_DIR, opts)).entries.length).toBe(next + 20);
  }
});

test("an fdatasync error fails the WAL; concurrent and later saves reject; restart re-reads the disk", async () => {
  const disk = new SimDisk();
  const opts = simOptions(disk);
  const wal = await createWal(DATA_DIR, META, opts);
  await wal.save({ term: 1, vote: "", commit: 2 }, entries(1, 2));
  disk.injectFaults((op) => (op.kind === "fdatasync" ? new DiskError("EIO", "injected") : undefined));
  const results = await Promise.allSettled([wal.save(undefined, [entry(3)]), wal.save(undefined, [entry(4)]), wal.save(undefined, [entry(5)])]);
  expect(results.map((r) => r.status)).toEqual(["rejected", "rejected", "rejected"]);
  expect(wal.failure?.message).toMatch(/EIO: injected/);
  disk.injectFaults(undefined);
  await expect(wal.save(undefined, [entry(6)])).rejects.toBe(wal.failure!);
  const r = await openWal(DATA_DIR, opts);
  expect(r.entries.slice(0, 2)).toEqual(entries(1, 2));
  expect(r.hardState.commit).toBe(2);
});

test("a failing snapshot write fails the WAL but leaves the log and older snapshots intact", async () => {
  const disk = new SimDisk();
  const opts = simOptions(disk);
  const wal = await createWal(DATA_DIR, META, opts);
  await wal.save({ term: 1, vote: "", commit: 5 }, entries(1, 5));
  disk.injectFaults((op) => (op.path.endsWith(".snap.tmp") && op.kind === "write" ? new DiskError("ENOSPC", "snapshot") : undefined));
  const s = { metadata: { index: 5, term: 1, confState: { voters: ["1"], learners: [] } }, data: new Uint8Array(100) };
  await expect(wal.saveSnapshot(s)).rejects.toBeInstanceOf(WalFailedError);
  disk.injectFaults(undefined);
  const r = await openWal(DATA_DIR, opts);
  expect(r.snapshot).toBeNull();
  expect(r.entries).toEqual(entries(1, 5));
});
