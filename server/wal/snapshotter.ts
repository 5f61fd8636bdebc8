// Snapshot files `<snap-dir>/%016x-%016x.snap`:
//   "ETCBSNP1" | u32 metadata bytes | u32 0 | u64 data bytes | metadata | data | u32 CRC32C of all before
// Written in chunks through the async Disk so WAL appends interleave with a large snapshot
// instead of waiting behind it. A file that fails its check is renamed `.broken`, never deleted.
import type { ConfState, Snapshot, SnapshotMetadata } from "../raft/types.ts";
import { getId, getU64, putId, putU64 } from "./codec.ts";
import type { WalContext } from "./context.ts";
import { crc32c } from "./crc32c.ts";
import { joinPath } from "./disk.ts";
import { parseSnapName, snapFileName } from "./names.ts";

const MAGIC = new TextEncoder().encode("ETCBSNP1");
const PREFIX_BYTES = 24;
const CHUNK_BYTES = 1 << 20;

function encodeMetadata(m: SnapshotMetadata): Uint8Array {
  const { voters, learners } = m.confState;
  const b = new Uint8Array(24 + 8 * (voters.length + learners.length));
  const v = new DataView(b.buffer);
  putU64(v, 0, m.index);
  putU64(v, 8, m.term);
  v.setUint32(16, voters.length, true);
  v.setUint32(20, learners.length, true);
  [...voters, ...learners].forEach((id, i) => putId(v, 24 + 8 * i, id));
  return b;
}

function decodeMetadata(b: Uint8Array): SnapshotMetadata | null {
  if (b.length < 24) return null;
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const nv = v.getUint32(16, true);
  const nl = v.getUint32(20, true);
  if (b.length !== 24 + 8 * (nv + nl)) return null;
  const ids = Array.from({ length: nv + nl }, (_, i) => getId(v, 24 + 8 * i));
  const confState: ConfState = { voters: ids.slice(0, nv), learners: ids.slice(nv) };
  return { index: getU64(v, 0), term: getU64(v, 8), confState };
}

/** Parses and verifies a whole snapshot file; null when it is not whole. */
export function decodeSnapshotFile(buf: Uint8Array): Snapshot | null {
  if (buf.length < PREFIX_BYTES + 4) return null;
  for (let i = 0; i < MAGIC.length; i++) if (buf[i] !== MAGIC[i]) return null;
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const metaBytes = v.getUint32(8, true);
  const dataBytes = v.getUint32(16, true) + v.getUint32(20, true) * 0x1_0000_0000;
  const end = PREFIX_BYTES + metaBytes + dataBytes;
  if (end + 4 !== buf.length) return null;
  if (crc32c(buf.subarray(0, end)) !== v.getUint32(end, true)) return null;
  try {
    const metadata = decodeMetadata(buf.subarray(PREFIX_BYTES, PREFIX_BYTES + metaBytes));
    return metadata && { metadata, data: buf.slice(PREFIX_BYTES + metaBytes, end) };
  } catch {
    return null;
  }
}

export async function writeSnapshotFile(ctx: WalContext, snap: Snapshot): Promise<string> {
  const { index, term } = snap.metadata;
  const path = joinPath(ctx.snapDir, snapFileName(term, index));
  const tmp = `${path}.tmp`;
  const meta = encodeMetadata(snap.metadata);
  const prefix = new Uint8Array(PREFIX_BYTES + meta.length);
  const pv = new DataView(prefix.buffer);
  prefix.set(MAGIC, 0);
  pv.setUint32(8, meta.length, true);
  putU64(pv, 16, snap.data.length);
  prefix.set(meta, PREFIX_BYTES);
  const file = await ctx.disk.open(tmp, { create: true });
  try {
    await file.truncate(0);
    await file.write(0, prefix);
    let crc = crc32c(prefix);
    let at = prefix.length;
    for (let i = 0; i < snap.data.length; i += CHUNK_BYTES) {
      const chunk = snap.data.subarray(i, i + CHUNK_BYTES);
      crc = crc32c(chunk, crc);
      await file.write(at, chunk);
      at += chunk.length;
    }
    const trailer = new Uint8Array(4);
    new DataView(trailer.buffer).setUint32(0, crc, true);
    await file.write(at, trailer);
    await file.fsync();
  } finally {
    await file.close();
  }
  await ctx.disk.rename(tmp, path);
  await ctx.disk.fsyncDir(ctx.snapDir);
  return path;
}

/** Snapshot files, newest (highest index) first. */
export async function listSnapshotFiles(ctx: WalContext): Promise<{ name: string; index: number; term: number }[]> {
  const out: { name: string; index: number; term: number }[] = [];
  for (const name of await ctx.disk.list(ctx.snapDir)) {
    const p = parseSnapName(name);
    if (p) out.push({ name, ...p });
  }
  return out.sort((a, b) => b.index - a.index || b.term - a.term);
}

/**
 * The newest whole snapshot that `usable` accepts. Files failing their check are renamed
 * `.broken` (and logged); whole ones that `usable` rejects are left alone.
 */
export async function loadNewestSnapshot(ctx: WalContext, usable: (m: SnapshotMetadata) => boolean): Promise<Snapshot | null> {
  for (const f of await listSnapshotFiles(ctx)) {
    const path = joinPath(ctx.snapDir, f.name);
    const snap = await readWholeSnapshot(ctx, path, f);
    if (!snap) {
      ctx.log(`wal: snapshot ${path} fails its checksum; renamed to ${path}.broken, trying an older one`);
      await ctx.disk.rename(path, `${path}.broken`);
      await ctx.disk.fsyncDir(ctx.snapDir);
      continue;
    }
    if (usable(snap.metadata)) return snap;
    ctx.log(`wal: snapshot ${path} has no matching record in the WAL (crash before its marker was written); skipping it`);
  }
  return null;
}

/** The snapshot in the file at `path` if it is whole and is the one for (index, term); null otherwise. */
async function readWholeSnapshot(ctx: WalContext, path: string, m: { index: number; term: number }): Promise<Snapshot | null> {
  const snap = decodeSnapshotFile(await ctx.disk.readFile(path));
  return snap && snap.metadata.index === m.index && snap.metadata.term === m.term ? snap : null;
}

/** The data of the snapshot file for (term, index); throws when it is gone or not whole. */
export async function readSnapshotData(ctx: WalContext, m: { index: number; term: number }): Promise<Uint8Array> {
  const path = joinPath(ctx.snapDir, snapFileName(m.term, m.index));
  const snap = await readWholeSnapshot(ctx, path, m);
  if (!snap) throw new Error(`snapshot ${path} is not whole`);
  return snap.data;
}

/** Keeps the newest `maxSnapshots` files (0 keeps all). */
export async function purgeSnapshots(ctx: WalContext): Promise<void> {
  if (ctx.maxSnapshots <= 0) return;
  const files = await listSnapshotFiles(ctx);
  for (const f of files.slice(ctx.maxSnapshots)) await ctx.disk.unlink(joinPath(ctx.snapDir, f.name));
  if (files.length > ctx.maxSnapshots) await ctx.disk.fsyncDir(ctx.snapDir);
}
