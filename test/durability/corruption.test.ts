// Damaged files on a real data dir, as a crash or a bad disk leaves them, and what dist/etcbun
// does on the next start: repair a torn WAL tail (keeping a .broken copy), refuse to start on a
// flipped bit in the middle of a segment with one line naming the file and offset, and fall back
// to the previous snapshot when the newest .snap fails its checksum.
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { MemberProcess } from "../support/member-process.ts";
import { scratchDir } from "../support/servers.ts";

const root = scratchDir("corruption");
afterAll(() => rmSync(root, { recursive: true, force: true }));
const FORM = { "Content-Type": "application/x-www-form-urlencoded" };
const SECTOR = 512;

/** Writes /c/k0../c/k{n-1} one after another (so the log holds them in key order), then SIGKILLs. */
async function writeAndKill(member: MemberProcess, n: number, extraArgs: string[] = []): Promise<void> {
  member.start({ extraArgs });
  await member.waitWritable();
  for (let i = 0; i < n; i++) {
    const r = await fetch(`${member.clientURL}/v2/keys/c/k${i}`, { method: "PUT", headers: FORM, body: `value=v${i}` });
    await r.arrayBuffer();
    expect(r.status).toBe(201);
  }
  await member.kill("SIGKILL");
}

function walDir(member: MemberProcess): string {
  return join(member.dataDir, "member", "wal");
}

function lastSegment(member: MemberProcess): string {
  const names = readdirSync(walDir(member)).filter((f) => f.endsWith(".wal")).sort();
  return join(walDir(member), names[names.length - 1]!);
}

/** Segments are preallocated with zeros: the records end at the last non-zero byte. */
function usedBytes(bytes: Uint8Array): number {
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0) end--;
  return end;
}

/** The values of /c/k0.. that are present, which must be a prefix of what was written. */
async function keptPrefix(member: MemberProcess): Promise<number> {
  const r = await fetch(`${member.clientURL}/v2/keys/c?recursive=true`);
  const body = (await r.json()) as { node: { nodes?: { key: string; value: string }[] } };
  const values = new Map((body.node.nodes ?? []).map((n) => [n.key, n.value]));
  let kept = 0;
  while (values.get(`/c/k${kept}`) === `v${kept}`) kept++;
  expect(values.size).toBe(kept);
  return kept;
}

async function expectCleanRestart(member: MemberProcess): Promise<void> {
  await member.kill("SIGTERM");
  const run = member.start();
  await member.waitWritable();
  expect(run.output()).not.toContain("broken");
  await member.kill("SIGKILL");
}

describe("WAL damage at restart", () => {
  const N = 120;

  for (const tear of ["cut short mid-record", "a zeroed sector inside the last records"] as const) {
    test(
      `torn tail (${tear}): starts, keeps everything before the tear, keeps a .broken copy`,
      async () => {
        const member = await MemberProcess.create(join(root, `torn-${tear.split(" ")[0]}`));
        await writeAndKill(member, N);
        const path = lastSegment(member);
        const bytes = readFileSync(path);
        const used = usedBytes(bytes);
        if (tear === "cut short mid-record") {
          truncateSync(path, used - 13);
        } else {
          const sector = Math.floor((used - 300) / SECTOR) * SECTOR;
          bytes.fill(0, sector, sector + SECTOR);
          writeFileSync(path, bytes);
        }
        const run = member.start();
        await member.waitWritable();
        expect(run.output()).toMatch(/wal: repaired torn tail of \S+\.wal at offset \d+ .*kept in \S+\.broken/);
        expect(readdirSync(walDir(member)).some((f) => f.endsWith(".broken"))).toBe(true);
        const kept = await keptPrefix(member);
        // A 512-byte sector holds at most a handful of records; anything earlier must survive.
        expect(kept).toBeGreaterThanOrEqual(N - 10);
        await expectCleanRestart(member);
      },
      { timeout: 30_000 },
    );
  }

  test(
    "a flipped bit in the middle of a segment: refuses to start with one line naming file and offset",
    async () => {
      const member = await MemberProcess.create(join(root, "bitflip"));
      await writeAndKill(member, N);
      const path = lastSegment(member);
      const bytes = readFileSync(path);
      bytes[Math.floor(usedBytes(bytes) / 2)]! ^= 0x08;
      writeFileSync(path, bytes);
      const run = member.start();
      const code = await Promise.race([run.exited, Bun.sleep(15_000).then(() => "still running")]);
      expect(code).not.toBe("still running");
      expect(code).not.toBe(0);
      const errors = run.output().split("\n").filter((l) => /error|wal:|\bat /i.test(l));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(new RegExp(`^etcbun: wal: .* in ${path.replace(/[.]/g, "\\.")} at offset \\d+`));
      expect(run.output()).not.toMatch(/^\s+at /m);
      // Refusing means touching nothing: no repair copy, the segment as it was.
      expect(readdirSync(walDir(member)).some((f) => f.endsWith(".broken"))).toBe(false);
      expect(readFileSync(path).equals(bytes)).toBe(true);
    },
    { timeout: 30_000 },
  );
});

test(
  "a corrupted newest .snap is renamed .broken, the older snapshot is used and nothing is lost",
  async () => {
    const N = 120;
    const member = await MemberProcess.create(join(root, "snap"));
    await writeAndKill(member, N, ["--snapshot-count", "25"]);
    const snapDir = join(member.dataDir, "member", "snap");
    const snaps = readdirSync(snapDir).filter((f) => f.endsWith(".snap")).sort();
    expect(snaps.length).toBeGreaterThanOrEqual(2);
    const newest = join(snapDir, snaps[snaps.length - 1]!);
    const bytes = readFileSync(newest);
    bytes[Math.floor(bytes.length / 2)]! ^= 0x40;
    writeFileSync(newest, bytes);

    const run = member.start({ extraArgs: ["--snapshot-count", "25"] });
    await member.waitWritable();
    expect(existsSync(`${newest}.broken`)).toBe(true);
    expect(existsSync(newest)).toBe(false);
    expect(run.output()).toContain(`${newest} fails its checksum`);
    const older = snaps[snaps.length - 2]!;
    const olderIndex = parseInt(older.split("-")[1]!.replace(".snap", ""), 16);
    expect(run.output()).toContain(`recovered snapshot ${olderIndex},`);
    expect(await keptPrefix(member)).toBe(N);
    await member.kill("SIGKILL");
  },
  { timeout: 30_000 },
);
