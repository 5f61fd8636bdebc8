// One contract, every Disk: the WAL may rely on exactly what passes here.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { errorCode, type Disk } from "./disk.ts";
import { RealDisk } from "./realDisk.ts";
import { SimDisk } from "./simDisk.ts";

const realRoots: string[] = [];
afterAll(() => realRoots.forEach((r) => rmSync(r, { recursive: true, force: true })));

const implementations: [string, () => Promise<{ disk: Disk; root: string }>][] = [
  ["RealDisk async", async () => real({})],
  ["RealDisk blocking", async () => real({ blocking: true })],
  ["SimDisk", async () => ({ disk: new SimDisk({ seed: 7 }), root: "/data" })],
];

function real(options: { blocking?: boolean }): { disk: Disk; root: string } {
  const root = mkdtempSync(`${tmpdir()}/etcbun-disk-`);
  realRoots.push(root);
  return { disk: new RealDisk(options), root };
}

const bytes = (...v: number[]) => Uint8Array.from(v);

for (const [name, make] of implementations) {
  describe(`Disk contract: ${name}`, () => {
    test("write at offsets, read back, short read at end, size", async () => {
      const { disk, root } = await make();
      await disk.mkdirp(`${root}/a/b`);
      const f = await disk.open(`${root}/a/b/f`, { create: true });
      expect(await f.size()).toBe(0);
      await f.write(0, bytes(1, 2, 3));
      await f.write(6, bytes(9));
      expect(await f.size()).toBe(7);
      expect([...(await f.read(0, 100))]).toEqual([1, 2, 3, 0, 0, 0, 9]);
      expect([...(await f.read(2, 2))]).toEqual([3, 0]);
      expect((await f.read(7, 10)).length).toBe(0);
      await f.fdatasync();
      await f.fsync();
      await f.close();
      expect([...(await disk.readFile(`${root}/a/b/f`))]).toEqual([1, 2, 3, 0, 0, 0, 9]);
    });

    test("truncate grows with zeros and shrinks", async () => {
      const { disk, root } = await make();
      await disk.mkdirp(root);
      const f = await disk.open(`${root}/t`, { create: true });
      await f.write(0, bytes(5, 5, 5, 5));
      await f.truncate(2);
      await f.truncate(6);
      expect([...(await f.read(0, 10))]).toEqual([5, 5, 0, 0, 0, 0]);
      await f.close();
    });

    test("open without create on a missing file is ENOENT; unlink and rename of missing too", async () => {
      const { disk, root } = await make();
      await disk.mkdirp(root);
      const codeOf = (p: Promise<unknown>) => p.then(() => "ok", (e) => errorCode(e));
      expect(await codeOf(disk.open(`${root}/none`))).toBe("ENOENT");
      expect(await codeOf(disk.unlink(`${root}/none`))).toBe("ENOENT");
      expect(await codeOf(disk.rename(`${root}/none`, `${root}/x`))).toBe("ENOENT");
    });

    test("list is sorted and [] for a missing dir; rename replaces; unlink removes; exists", async () => {
      const { disk, root } = await make();
      expect(await disk.list(`${root}/missing`)).toEqual([]);
      await disk.mkdirp(root);
      for (const n of ["c", "a", "b"]) await (await disk.open(`${root}/${n}`, { create: true })).close();
      expect(await disk.list(root)).toEqual(["a", "b", "c"]);
      const a = await disk.open(`${root}/a`);
      await a.write(0, bytes(42));
      await a.close();
      await disk.rename(`${root}/a`, `${root}/b`);
      await disk.fsyncDir(root);
      expect(await disk.list(root)).toEqual(["b", "c"]);
      expect([...(await disk.readFile(`${root}/b`))]).toEqual([42]);
      await disk.unlink(`${root}/c`);
      expect(await disk.exists(`${root}/c`)).toBe(false);
      expect(await disk.exists(`${root}/b`)).toBe(true);
      expect(await disk.exists(root)).toBe(true);
    });

    test("a handle keeps working on the file after it is renamed", async () => {
      const { disk, root } = await make();
      await disk.mkdirp(root);
      const f = await disk.open(`${root}/x.tmp`, { create: true });
      await f.write(0, bytes(1));
      await disk.rename(`${root}/x.tmp`, `${root}/x`);
      await f.write(1, bytes(2));
      await f.fdatasync();
      await f.close();
      expect([...(await disk.readFile(`${root}/x`))]).toEqual([1, 2]);
    });
  });
}
