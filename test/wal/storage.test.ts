// What openWal returns is exactly what the member needs to rebuild Raft's Storage.
import { expect, test } from "bun:test";
import { MemoryStorage } from "../../server/raft/memory_storage.ts";
import { createWal, openWal } from "../../server/wal/open.ts";
import { SimDisk } from "../../server/wal/simDisk.ts";
import { DATA_DIR, META, entries, simOptions } from "../../server/wal/test-helpers.ts";

test("a reopened WAL rebuilds MemoryStorage: snapshot, hard state, entries after it", async () => {
  const disk = new SimDisk();
  const opts = simOptions(disk, { segmentSizeBytes: 2048 });
  const wal = await createWal(DATA_DIR, META, opts);
  await wal.save({ term: 1, vote: "1", commit: 30 }, entries(1, 40, 1, 30));
  await wal.saveSnapshot({ metadata: { index: 30, term: 1, confState: { voters: ["1", "2", "3"], learners: [] } }, data: new Uint8Array([1, 2, 3]) });
  await wal.save({ term: 2, vote: "2", commit: 36 }, entries(36, 45, 2, 30));
  await wal.close();

  const { hardState, snapshot, entries: ents } = await openWal(DATA_DIR, { ...opts, metadata: META });
  const storage = new MemoryStorage();
  if (snapshot) storage.applySnapshot(snapshot);
  storage.setHardState(hardState);
  storage.append(ents);
  expect(storage.firstIndex()).toBe(31);
  expect(storage.lastIndex()).toBe(45);
  expect(storage.term(30)).toBe(1);
  expect(storage.term(35)).toBe(1);
  expect(storage.term(36)).toBe(2);
  expect(storage.entries(34, 38)).toEqual([...entries(34, 35, 1, 30), ...entries(36, 37, 2, 30)]);
  expect(storage.initialState()).toEqual({ hardState: { term: 2, vote: "2", commit: 36 }, confState: { voters: ["1", "2", "3"], learners: [] } });
});
