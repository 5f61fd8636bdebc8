// The simulated disk's crash model, which the WAL's crash tests rely on to be honest.
import { expect, test } from "bun:test";
import { errorCode } from "./disk.ts";
import { SimDisk } from "./simDisk.ts";

async function setup(seed = 1) {
  const disk = new SimDisk({ seed, sectorBytes: 512 });
  await disk.mkdirp("/d");
  const f = await disk.open("/d/f", { create: true });
  await f.write(0, new Uint8Array(1024).fill(1));
  await f.fsync();
  await disk.fsyncDir("/d");
  return { disk, f };
}

test("synced bytes survive a crash; unsynced ones are lost or kept as a whole per mode", async () => {
  for (const [mode, want] of [["loseAll", 1], ["keepAll", 2]] as const) {
    const { disk, f } = await setup();
    await f.write(512, new Uint8Array(1024).fill(2));
    disk.crash(mode);
    const after = disk.peek("/d/f");
    expect(after.slice(0, 512).every((b) => b === 1)).toBe(true);
    expect(after[600]).toBe(want);
    expect(after.length).toBe(mode === "keepAll" ? 1536 : 1024);
  }
});

test("torn crashes keep each dirty sector whole, old or new, and vary with the seed", async () => {
  const outcomes = new Set<string>();
  for (let seed = 1; seed <= 40; seed++) {
    const { disk, f } = await setup(seed);
    await f.write(0, new Uint8Array(1024).fill(2));
    disk.crash("torn");
    const after = disk.peek("/d/f");
    const sectors = [after.slice(0, 512), after.slice(512, 1024)].map((s) => {
      expect(s.every((b) => b === s[0])).toBe(true);
      return s[0];
    });
    outcomes.add(sectors.join(""));
  }
  expect([...outcomes].sort()).toEqual(["11", "12", "21", "22"]);
});

test("a rename or create not followed by fsyncDir may be lost; after it, it is durable", async () => {
  const { disk } = await setup();
  const t = await disk.open("/d/t.tmp", { create: true });
  await t.write(0, Uint8Array.of(7));
  await t.fsync();
  await disk.rename("/d/t.tmp", "/d/t");
  disk.crash("loseAll");
  expect(await disk.list("/d")).toEqual(["f"]);

  const u = await disk.open("/d/u.tmp", { create: true });
  await u.write(0, Uint8Array.of(8));
  await u.fsync();
  await disk.fsyncDir("/d");
  await disk.rename("/d/u.tmp", "/d/u");
  await disk.fsyncDir("/d");
  await disk.unlink("/d/f");
  disk.crash("loseAll");
  expect(await disk.list("/d")).toEqual(["f", "u"]);
  expect([...disk.peek("/d/u")]).toEqual([8]);
});

test("handles from before a crash are stale; bit flips persist; halts and capacity fail ops", async () => {
  const { disk, f } = await setup();
  disk.crash();
  expect(await f.write(0, Uint8Array.of(1)).then(() => "ok", (e) => errorCode(e))).toBe("EBADF");
  disk.flipBit("/d/f", 10, 2);
  disk.crash("loseAll");
  expect(disk.peek("/d/f")[10]).toBe(1 ^ 4);

  const g = await disk.open("/d/f");
  disk.haltAt(1);
  await g.write(0, Uint8Array.of(3));
  expect(await g.fdatasync().then(() => "ok", (e) => errorCode(e))).toBe("EIO");
  disk.injectFaults(undefined);

  const small = new SimDisk({ capacityBytes: 1000 });
  await small.mkdirp("/s");
  const h = await small.open("/s/h", { create: true });
  expect(await h.write(0, new Uint8Array(1500)).then(() => "ok", (e) => errorCode(e))).toBe("ENOSPC");
  expect(await h.size()).toBe(512);
});

test("random rot is reproducible from the seed and only touches selected files", async () => {
  const runs = await Promise.all(
    [5, 5, 6].map(async (seed) => {
      const { disk } = await setup(seed);
      const g = await disk.open("/d/g", { create: true });
      await g.write(0, new Uint8Array(64));
      const flips = disk.flipRandomBits(10, (p) => p.endsWith("/g"));
      expect(flips.every((f) => f.path === "/d/g")).toBe(true);
      expect(disk.peek("/d/f").every((b) => b === 1)).toBe(true);
      return JSON.stringify(flips);
    }),
  );
  expect(runs[0]).toBe(runs[1]!);
  expect(runs[0]).not.toBe(runs[2]!);
});
