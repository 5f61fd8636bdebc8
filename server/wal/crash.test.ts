// Crash at every persistence step of a workload on the simulated disk (before and after each
// write and fsync, mid segment cut, mid snapshot file, between snapshot file and WAL marker,
// mid release) and check that recovery never loses what a completed save() acknowledged.
import { expect, test } from "bun:test";
import type { Entry, HardState, Snapshot } from "../raft/types.ts";
import type { CrashMode } from "./simDisk.ts";
import { SimDisk } from "./simDisk.ts";
import { createWal, openWal, walExists } from "./open.ts";
import { DATA_DIR, META, entries, entry, simOptions } from "./test-helpers.ts";

interface Issued {
  hardState?: HardState;
  entries: Entry[];
  snapshot?: Snapshot;
  acked: boolean;
}

const snap = (index: number, term: number): Snapshot => ({
  metadata: { index, term, confState: { voters: ["1", "2", "3"], learners: [] } },
  data: Uint8Array.from({ length: 3000 }, (_, i) => (i + index) & 0xff),
});

/** The calls the member makes over a while: single saves, a concurrent burst, overwrites, snapshots. */
async function workload(disk: SimDisk, issued: Issued[]): Promise<void> {
  const opts = simOptions(disk, { segmentSizeBytes: 1500, maxWals: 2, maxSnapshots: 2 });
  const wal = await createWal(DATA_DIR, META, opts);
  const save = (hardState: HardState | undefined, list: Entry[]) => {
    const rec: Issued = { hardState, entries: list, acked: false };
    issued.push(rec);
    return wal.save(hardState, list).then(() => void (rec.acked = true));
  };
  const snapshot = (s: Snapshot) => {
    const rec: Issued = { entries: [], snapshot: s, acked: false };
    issued.push(rec);
    return wal.saveSnapshot(s).then(() => void (rec.acked = true));
  };
  await save({ term: 1, vote: "1", commit: 0 }, entries(1, 3, 1, 100));
  for (let i = 4; i <= 12; i++) await save({ term: 1, vote: "1", commit: i - 2 }, [entry(i, 1, 100)]);
  await snapshot(snap(8, 1));
  // Raft replaces an uncommitted suffix after a new leader wins.
  await save({ term: 2, vote: "2", commit: 10 }, entries(11, 14, 2, 100));
  const burst = Array.from({ length: 6 }, (_, i) => save(undefined, [entry(15 + i, 2, 100)]));
  await Promise.all(burst);
  await Promise.all([snapshot(snap(14, 2)), save({ term: 2, vote: "2", commit: 20 }, entries(21, 24, 2, 100))]);
  // A snapshot from the leader past our log, pipelined with the entries that follow it.
  await Promise.all([snapshot(snap(40, 3)), save({ term: 3, vote: "3", commit: 41 }, entries(41, 43, 3, 100))]);
  await wal.close();
}

/** Logs recovery may legitimately return: the acked saves, plus a prefix of the unacked ones' entries. */
function candidateLogs(issued: Issued[]): Map<number, Entry>[] {
  const apply = (log: Map<number, Entry>, e: Entry) => {
    for (const k of [...log.keys()]) if (k >= e.index) log.delete(k);
    log.set(e.index, e);
  };
  const acked = new Map<number, Entry>();
  for (const r of issued.filter((r) => r.acked)) r.entries.forEach((e) => apply(acked, e));
  const pending = issued.filter((r) => !r.acked).flatMap((r) => r.entries);
  const out = [new Map(acked)];
  const cur = new Map(acked);
  for (const e of pending) {
    apply(cur, e);
    out.push(new Map(cur));
  }
  return out;
}

function lastAckedHardState(issued: Issued[]): HardState {
  return issued.filter((r) => r.acked && r.hardState).pop()?.hardState ?? { term: 0, vote: "", commit: 0 };
}

async function checkRecovery(disk: SimDisk, issued: Issued[], label: string): Promise<void> {
  const opts = simOptions(disk, { segmentSizeBytes: 1500, maxWals: 2, maxSnapshots: 2 });
  if (!(await walExists(DATA_DIR, opts))) {
    // Only acceptable if creating the WAL itself never finished: nothing was acknowledged.
    expect({ label, acked: issued.some((r) => r.acked) }).toEqual({ label, acked: false });
    return;
  }
  const r = await openWal(DATA_DIR, opts);
  const snapIndex = r.snapshot?.metadata.index ?? 0;
  if (r.snapshot) {
    const saved = issued.find((i) => i.snapshot?.metadata.index === snapIndex);
    expect(r.snapshot).toEqual(saved!.snapshot!);
  }
  const ackedSnap = issued.filter((i) => i.acked && i.snapshot).pop()?.snapshot;
  expect({ label, atLeastAckedSnapshot: snapIndex >= (ackedSnap?.metadata.index ?? 0) }).toEqual({ label, atLeastAckedSnapshot: true });
  const got = r.entries.map((e) => `${e.index}/${e.term}/${e.data[0]}`).join(",");
  const matches = candidateLogs(issued).some((log) => {
    const want = [...log.values()].filter((e) => e.index > snapIndex).map((e) => `${e.index}/${e.term}/${e.data[0]}`).join(",");
    return want === got;
  });
  expect({ label, got, matches }).toEqual({ label, got, matches: true });
  const hs = lastAckedHardState(issued);
  expect({ label, hsNotOlder: r.hardState.term > hs.term || (r.hardState.term === hs.term && r.hardState.commit >= hs.commit) }).toEqual({ label, hsNotOlder: true });
  // The recovered WAL takes appends and reopens clean.
  const next = (r.entries.at(-1)?.index ?? snapIndex) + 1;
  await r.wal.save({ term: 3, vote: "", commit: next - 1 }, [entry(next, 3)]);
  await r.wal.close();
  const again = await openWal(DATA_DIR, opts);
  expect({ label, last: again.entries.at(-1)?.index ?? snapIndex }).toEqual({ label, last: next });
  await again.wal.close();
}

async function crashAt(step: number, mode: CrashMode, seed: number): Promise<void> {
  const disk = new SimDisk({ seed });
  const issued: Issued[] = [];
  disk.haltAt(step);
  await workload(disk, issued).catch(() => {});
  disk.crash(mode);
  if (mode === "torn") {
    // Crash again part way through recovery (mid repair, mid re-preallocation, ...).
    disk.haltAt(seed % 6);
    await openWal(DATA_DIR, simOptions(disk, { segmentSizeBytes: 1500 })).catch(() => {});
    disk.crash(mode);
  }
  await checkRecovery(disk, issued, `step=${step} mode=${mode} seed=${seed}`);
}

test("a crash at any persistence step never loses an acknowledged save", async () => {
  const full = new SimDisk();
  const issued: Issued[] = [];
  await workload(full, issued);
  const steps = full.opCount;
  expect(steps).toBeGreaterThan(60);
  expect(issued.every((r) => r.acked)).toBe(true);
  for (let step = 0; step <= steps; step++) {
    await crashAt(step, "loseAll", step);
    await crashAt(step, "keepAll", step);
    for (let seed = 1; seed <= 3; seed++) await crashAt(step, "torn", step * 100 + seed);
  }
});

test("a crash with no halt (power cut after the workload) keeps everything", async () => {
  const disk = new SimDisk({ seed: 9 });
  const issued: Issued[] = [];
  await workload(disk, issued);
  disk.crash("torn");
  await checkRecovery(disk, issued, "after workload");
  expect(candidateLogs(issued)).toHaveLength(1);
});


