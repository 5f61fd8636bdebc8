// Binary encoding of Raft messages for the peer streams: varints for numbers, IDs as two u32
// words, entry and snapshot payloads as raw length-prefixed bytes. A batch frame carries
// several messages so a busy leader pays one socket write for many appends.
import type { ConfState, Entry, Message, Snapshot } from "../raft/types.ts";
import { approxBytes } from "./bounded-queue.ts";
import { ByteReader, ByteWriter, CodecError } from "./bytes.ts";

export { CodecError } from "./bytes.ts";

const VERSION = 1;
const FLAG_REJECT = 1;
const FLAG_SNAPSHOT = 2;
const FLAG_CONTEXT = 4;
const KNOWN_FLAGS = FLAG_REJECT | FLAG_SNAPSHOT | FLAG_CONTEXT;
const MAX_MESSAGE_TYPE = 18;
const CANONICAL_ID = /^(?:[1-9a-f][0-9a-f]{0,15})?$/;
/** Smallest encodings, used to reject counts that cannot fit in the remaining bytes. */
const MIN_MESSAGE_BYTES = 1 + 8 + 8 + 6 + 1;
const MIN_ENTRY_BYTES = 4;

/**
 * Member IDs seen on the wire, both ways: a cluster has a handful, and every message carries two,
 * so parsing and formatting them each time was most of a small message's garbage. Bounded in
 * case a peer sends many distinct ones (cleared, not evicted: the cluster's few come back at once).
 */
const ID_CACHE_MAX = 256;
const idWords = new Map<string, readonly [number, number]>();
/** By the low word; the entry holds the high word too, so a collision only misses the cache. */
const idStrings = new Map<number, { hi: number; id: string }>();

function idToWords(id: string): readonly [number, number] {
  const cached = idWords.get(id);
  if (cached !== undefined) return cached;
  if (!CANONICAL_ID.test(id)) throw new CodecError(`invalid node id ${JSON.stringify(id)}`);
  const padded = id.padStart(16, "0");
  const words = [parseInt(padded.slice(0, 8), 16), parseInt(padded.slice(8), 16)] as const;
  if (idWords.size >= ID_CACHE_MAX) idWords.clear();
  idWords.set(id, words);
  return words;
}

function writeId(w: ByteWriter, id: string): void {
  const [hi, lo] = idToWords(id);
  w.u32(hi);
  w.u32(lo);
}

function readId(r: ByteReader): string {
  const hi = r.u32();
  const lo = r.u32();
  const cached = idStrings.get(lo);
  if (cached !== undefined && cached.hi === hi) return cached.id;
  const id = hi === 0 ? (lo === 0 ? "" : lo.toString(16)) : hi.toString(16) + lo.toString(16).padStart(8, "0");
  if (idStrings.size >= ID_CACHE_MAX) idStrings.clear();
  idStrings.set(lo, { hi, id });
  return id;
}

function writeEntry(w: ByteWriter, e: Entry): void {
  w.uvarint(e.term);
  w.uvarint(e.index);
  w.uvarint(e.type);
  w.bytes(e.data);
}

function readEntry(r: ByteReader): Entry {
  const term = r.uvarint();
  const index = r.uvarint();
  const type = r.uvarint();
  if (type > 1) throw new CodecError(`unknown entry type ${type}`);
  // A view: the log copies entry payloads into its chunks and the WAL into its frame.
  return { term, index, type, data: r.bytesView() };
}

function writeIds(w: ByteWriter, ids: readonly string[]): void {
  w.uvarint(ids.length);
  for (const id of ids) writeId(w, id);
}

function readIds(r: ByteReader): string[] {
  const n = r.count(8);
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push(readId(r));
  return ids;
}

/** Snapshot metadata only; the payload travels separately (inline or streamed). */
function writeSnapshotMeta(w: ByteWriter, s: Snapshot): void {
  w.uvarint(s.metadata.index);
  w.uvarint(s.metadata.term);
  writeIds(w, s.metadata.confState.voters);
  writeIds(w, s.metadata.confState.learners);
}

function readSnapshotMeta(r: ByteReader): Snapshot {
  const index = r.uvarint();
  const term = r.uvarint();
  const confState: ConfState = { voters: readIds(r), learners: readIds(r) };
  return { metadata: { index, term, confState }, data: new Uint8Array(0) };
}

/**
 * One message. With `snapshotDataInline` false the snapshot payload is left out and only its
 * length is written, so the snapshot sender can stream the bytes after this header.
 */
function writeMessage(w: ByteWriter, m: Message, opts: { snapshotDataInline: boolean }): void {
  if (!Number.isInteger(m.type) || m.type < 0 || m.type > MAX_MESSAGE_TYPE) {
    throw new CodecError(`unknown message type ${m.type}`);
  }
  w.u8(m.type);
  writeId(w, m.to);
  writeId(w, m.from);
  w.uvarint(m.term);
  w.uvarint(m.logTerm);
  w.uvarint(m.index);
  w.uvarint(m.commit);
  w.uvarint(m.rejectHint);
  const flags = (m.reject ? FLAG_REJECT : 0) | (m.snapshot ? FLAG_SNAPSHOT : 0) | (m.context ? FLAG_CONTEXT : 0);
  w.u8(flags);
  w.uvarint(m.entries.length);
  for (const e of m.entries) writeEntry(w, e);
  if (m.snapshot) {
    writeSnapshotMeta(w, m.snapshot);
    if (opts.snapshotDataInline) w.bytes(m.snapshot.data);
    else w.uvarint(m.snapshot.data.length);
  }
  if (m.context) w.bytes(m.context);
}

function readMessage(r: ByteReader, opts: { snapshotDataInline: boolean }): { message: Message; snapshotBytes: number } {
  const type = r.u8();
  if (type > MAX_MESSAGE_TYPE) throw new CodecError(`unknown message type ${type}`);
  const to = readId(r);
  const from = readId(r);
  const term = r.uvarint();
  const logTerm = r.uvarint();
  const index = r.uvarint();
  const commit = r.uvarint();
  const rejectHint = r.uvarint();
  const flags = r.u8();
  if ((flags & ~KNOWN_FLAGS) !== 0) throw new CodecError(`unknown message flags ${flags}`);
  const n = r.count(MIN_ENTRY_BYTES);
  const entries: Entry[] = [];
  for (let i = 0; i < n; i++) entries.push(readEntry(r));
  const message: Message = { type, to, from, term, logTerm, index, entries, commit, reject: (flags & FLAG_REJECT) !== 0, rejectHint };
  let snapshotBytes = 0;
  if (flags & FLAG_SNAPSHOT) {
    const snapshot = readSnapshotMeta(r);
    if (opts.snapshotDataInline) snapshot.data = r.bytes();
    else snapshotBytes = r.uvarint();
    message.snapshot = snapshot;
  }
  if (flags & FLAG_CONTEXT) message.context = r.bytes();
  return { message, snapshotBytes };
}

/** A frame body: version byte, message count, messages. */
export function encodeBatch(messages: readonly Message[]): Uint8Array {
  const w = new ByteWriter(frameBytesBound(messages));
  writeBatch(w, messages);
  return w.take();
}

/**
 * The same frame written into `w`, cleared first and reused across calls: the returned view is
 * valid until `w` is written again (a socket send that copies, as WebSocket.send does).
 */
export function encodeBatchInto(w: ByteWriter, messages: readonly Message[]): Uint8Array {
  w.clear();
  w.ensureCapacity(frameBytesBound(messages));
  writeBatch(w, messages);
  return w.written();
}

function frameBytesBound(messages: readonly Message[]): number {
  // Sized for the entries up front: growing by doubling copied a frame of appends five times over.
  let bytesBound = 64;
  for (const m of messages) bytesBound += approxBytes(m);
  return bytesBound;
}

function writeBatch(w: ByteWriter, messages: readonly Message[]): void {
  w.u8(VERSION);
  w.uvarint(messages.length);
  for (const m of messages) writeMessage(w, m, { snapshotDataInline: true });
}

export function decodeBatch(frame: Uint8Array): Message[] {
  const r = new ByteReader(frame);
  const version = r.u8();
  if (version !== VERSION) throw new CodecError(`unsupported frame version ${version}`);
  const n = r.count(MIN_MESSAGE_BYTES);
  const out: Message[] = [];
  for (let i = 0; i < n; i++) out.push(readMessage(r, { snapshotDataInline: true }).message);
  if (r.remaining !== 0) throw new CodecError(`${r.remaining} trailing bytes after batch`);
  return out;
}

/** Header of a streamed snapshot: the MsgSnap without its payload, plus the payload length. */
export function encodeSnapshotHeader(m: Message): Uint8Array {
  if (!m.snapshot) throw new CodecError("snapshot header needs a message with a snapshot");
  const w = new ByteWriter(128);
  w.u8(VERSION);
  writeMessage(w, m, { snapshotDataInline: false });
  return w.take();
}

export function decodeSnapshotHeader(header: Uint8Array): { message: Message; snapshotBytes: number } {
  const r = new ByteReader(header);
  const version = r.u8();
  if (version !== VERSION) throw new CodecError(`unsupported snapshot header version ${version}`);
  const out = readMessage(r, { snapshotDataInline: false });
  if (!out.message.snapshot) throw new CodecError("snapshot header without a snapshot");
  if (r.remaining !== 0) throw new CodecError(`${r.remaining} trailing bytes after snapshot header`);
  return out;
}
