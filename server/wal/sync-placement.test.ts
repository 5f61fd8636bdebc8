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

test("a fast device is synced in place; one sync that blocks long sends syncs back to the pool", () => {
  const { p } = placement();
  expect(p.takeInline()).toBe(true); // the first sync probes
  p.record(5);
  expect(p.isInline).toBe(true);
  for (let i = 0; i < 10; i++) expect(p.takeInline()).toBe(true), p.record(8);
  p.record(3000); // a 3 ms sync: the loop must not block on that device again
  expect(p.isInline).toBe(false);
  expect(p.takeInline()).toBe(false);
});

test("isolated slow syncs (a preempted thread) keep syncs in place; three in a row send them to the pool", () => {
  const { p } = placement();
  p.takeInline();
  p.record(5);
  for (let i = 0; i < 20; i++) {
    p.record(i % 2 === 0 ? 450 : 3);
    expect(p.isInline).toBe(true);
  }
  p.record(450);
  p.record(460);
  expect(p.isInline).toBe(true);
  p.record(470);
  expect(p.isInline).toBe(false);
});

test("from the pool, one in-place probe per interval; two fast probes in a row bring syncs back", () => {
  const { p, advance } = placement();
  expect(p.takeInline()).toBe(true);
  p.record(4000); // a slow disk from the start
  expect(p.takeInline()).toBe(false);
  advance(1999);
  expect(p.takeInline()).toBe(false);
  advance(1);
  expect(p.takeInline()).toBe(true);
  p.record(5); // nothing to flush: fast even on a slow disk, so one fast probe is not enough
  expect(p.isInline).toBe(false);
  advance(2000);
  expect(p.takeInline()).toBe(true);
  p.record(900);
  advance(2000);
  expect(p.takeInline()).toBe(true);
  p.record(5);
  expect(p.isInline).toBe(false);
  advance(2000);
  expect(p.takeInline()).toBe(true);
  p.record(6);
  expect(p.isInline).toBe(true);
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
