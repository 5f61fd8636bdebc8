// Recovery must not read a segment's whole preallocated zero tail (chaos finding F1: restarts
// paid for 64 MB each time, slow enough to miss the ten-election-timeout recovery budget).
import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createWal, openWal, RealDisk, type Disk, type DiskFile } from "./index.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** The real disk, counting the bytes read through it. */
function countingDisk(): { disk: Disk; bytesRead: () => number } {
  const real = new RealDisk();
  let read = 0;
  const wrapFile = (f: DiskFile): DiskFile =>
    Object.assign(Object.create(f), {
      read: async (offset: number, length: number) => {
        const b = await f.read(offset, length);
        read += b.length;
        return b;
      },
    });
  const disk: Disk = Object.assign(Object.create(real), {
    open: async (path: string, options?: { create?: boolean }) => wrapFile(await real.open(path, options)),
    readFile: async (path: string) => {
      const b = await real.readFile(path);
      read += b.length;
      return b;
    },
  });
  return { disk, bytesRead: () => read };
}

test("opening a WAL reads its records, not the 64 MB of preallocated zeros after them", async () => {
  const dir = mkdtempSync(join(tmpdir(), "etcbun-walread-"));
  dirs.push(dir);
  const wal = await createWal(dir, { memberId: "1", clusterId: "2" });
  const entries = Array.from({ length: 100 }, (_, i) => ({ term: 1, index: i + 1, type: 0 as const, data: new TextEncoder().encode(`entry ${i}`) }));
  await wal.save({ term: 1, vote: "1", commit: 100 }, entries);
  await wal.close();
  const { disk, bytesRead } = countingDisk();
  const opened = await openWal(dir, { disk });
  expect(opened.entries.length).toBe(100);
  expect(bytesRead()).toBeLessThan(4 << 20);
  await opened.wal.close();
});
