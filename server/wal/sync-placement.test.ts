import { expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RealDisk, SyncPlacement } from "./realDisk.ts";

function placement() {
  let now = 0;
  const p = new SyncPlacement({ inlineMaxUs: 50, probeIntervalMs: 2000, nowMs: () => now });
  return { p, advance: (ms: number) => (now += ms) };
}

test("a fast device is synced in place; one slow sync sends syncs back to the pool", () => {
  const { p } = placement();
  expect(p.takeInline()).toBe(true); // the first sync probes
  p.record(5);
  expect(p.isInline).toBe(true);
  for (let i = 0; i < 10; i++) expect(p.takeInline()).toBe(true), p.record(8);
  p.record(3000); // a 3 ms sync: the loop must not block on that device again
  expect(p.isInline).toBe(false);
  expect(p.takeInline()).toBe(false);
});

test("from the pool, one in-place probe per interval; a fast probe brings syncs back in place", () => {
  const { p, advance } = placement();
  expect(p.takeInline()).toBe(true);
  p.record(4000);
  expect(p.takeInline()).toBe(false);
  advance(1999);
  expect(p.takeInline()).toBe(false);
  advance(1);
  expect(p.takeInline()).toBe(true);
  p.record(4000);
  expect(p.takeInline()).toBe(false);
  advance(2000);
  expect(p.takeInline()).toBe(true);
  // The average still remembers the slow device: several fast probes are needed.
  let probes = 0;
  while (!p.isInline && probes < 50) {
    p.record(5);
    probes++;
    advance(2000);
    p.takeInline();
  }
  expect(p.isInline).toBe(true);
  expect(probes).toBeGreaterThan(1);
});

test("a real file's fdatasync is placed by measurement and data reads back", async () => {
  const root = mkdtempSync(join(tmpdir(), "etcbun-syncplace-"));
  try {
    const disk = new RealDisk();
    const f = await disk.open(join(root, "f"), { create: true });
    await f.write(0, new Uint8Array([1, 2, 3]));
    await f.fdatasync();
    await f.fdatasync();
    expect(await f.read(0, 3)).toEqual(new Uint8Array([1, 2, 3]));
    await f.close();
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
