// The bytes of a normal log entry: the proposing member's request ID and the store request.
// Writes (PUT, POST, DELETE: nearly every entry) have a compact form that every member decodes
// once per entry; any other request is JSON. The first byte tells them apart ("{" is JSON, the
// form of every entry before the compact one, which is still read).
import type { V2Request } from "../store/types.ts";

export interface LoggedRequest {
  /** Unique per proposal across the cluster; only the proposer waits on it. */
  id: string;
  req: V2Request;
}

const utf8 = new TextEncoder();
const utf8Decode = new TextDecoder();

/**
 * The compact form: [COMPACT][method][flags][f64 nowUs][f64 expireAtUs?][f64 prevIndex?]
 * [u32 UTF-8 length of each string], then the strings (id, path, value?, prevValue?) back to back.
 * Each string is decoded on its own: a slice of one decoded text would keep that whole text (the
 * ID and path too) alive for as long as the store keeps the node's value.
 */
const COMPACT = 1;
const JSON_OPEN = 0x7b; // "{"
const METHODS = ["", "PUT", "POST", "DELETE"] as const;
const METHOD_CODE: Record<string, number> = { PUT: 1, POST: 2, DELETE: 3 };

const DIR = 1;
const REFRESH = 2;
const RECURSIVE = 4;
const PREV_EXIST_SET = 8;
const PREV_EXIST = 16;
const PREV_VALUE = 32;
const PREV_INDEX = 64;
const EXPIRES = 128;

/** The longest header: 3 + three float64 + four lengths. */
const MAX_HEADER = 3 + 24 + 16;
const HEADER_ROOM = Array.from({ length: MAX_HEADER + 1 }, (_, n) => "\0".repeat(n));

// Float64 fields go through one scratch buffer (little-endian, as the WAL's other numbers).
const f64 = new Float64Array(1);
const f64Bytes = new Uint8Array(f64.buffer);

function putF64(out: Uint8Array, at: number, v: number): number {
  f64[0] = v;
  for (let i = 0; i < 8; i++) out[at + i] = f64Bytes[i]!;
  return at + 8;
}

function getF64(data: Uint8Array, at: number): number {
  for (let i = 0; i < 8; i++) f64Bytes[i] = data[at + i]!;
  return f64[0]!;
}

function putU32(out: Uint8Array, at: number, v: number): number {
  out[at] = v;
  out[at + 1] = v >>> 8;
  out[at + 2] = v >>> 16;
  out[at + 3] = v >>> 24;
  return at + 4;
}

function getU32(data: Uint8Array, at: number): number {
  return (data[at]! | (data[at + 1]! << 8) | (data[at + 2]! << 16) | (data[at + 3]! << 24)) >>> 0;
}

type Write = V2Request & { method: "PUT" | "POST" | "DELETE" };

function byteLength(s: string): number {
  return Buffer.byteLength(s, "utf8");
}

function encodeCompact(id: string, req: Write, text: string): Uint8Array {
  let flags = req.dir ? DIR : 0;
  let value: string | undefined;
  let prevValue: string | undefined;
  let prevIndex: number | undefined;
  let expireAtUs: number | null = null;
  if (req.method === "DELETE") {
    if (req.recursive) flags |= RECURSIVE;
    prevValue = req.prevValue;
    prevIndex = req.prevIndex;
  } else {
    value = req.value;
    expireAtUs = req.expireAtUs;
    if (req.method === "PUT") {
      if (req.refresh) flags |= REFRESH;
      if (req.prevExist !== undefined) flags |= req.prevExist ? PREV_EXIST_SET | PREV_EXIST : PREV_EXIST_SET;
      prevValue = req.prevValue;
      prevIndex = req.prevIndex;
    }
  }
  if (prevValue !== undefined) flags |= PREV_VALUE;
  if (prevIndex !== undefined) flags |= PREV_INDEX;
  if (expireAtUs !== null) flags |= EXPIRES;
  const strings = 2 + (value !== undefined ? 1 : 0) + (prevValue !== undefined ? 1 : 0);
  const head = 3 + 8 + (expireAtUs !== null ? 8 : 0) + (prevIndex !== undefined ? 8 : 0) + 4 * strings;
  // One encode of the strings behind room for the header, written over it below.
  const out = utf8.encode(HEADER_ROOM[head]! + text);
  out[0] = COMPACT;
  out[1] = METHOD_CODE[req.method]!;
  out[2] = flags;
  let at = putF64(out, 3, req.nowUs);
  if (expireAtUs !== null) at = putF64(out, at, expireAtUs);
  if (prevIndex !== undefined) at = putF64(out, at, prevIndex);
  at = putU32(out, at, byteLength(id));
  at = putU32(out, at, byteLength(req.path));
  if (value !== undefined) at = putU32(out, at, byteLength(value));
  if (prevValue !== undefined) at = putU32(out, at, byteLength(prevValue));
  return out;
}

function decodeCompact(data: Uint8Array): LoggedRequest {
  const method = METHODS[data[1]!];
  const flags = data[2]!;
  if (method === undefined || method === "" || data.length < 11) throw new Error("malformed request entry");
  const nowUs = getF64(data, 3);
  let at = 11;
  let expireAtUs: number | null = null;
  let prevIndex: number | undefined;
  if (flags & EXPIRES) {
    expireAtUs = getF64(data, at);
    at += 8;
  }
  if (flags & PREV_INDEX) {
    prevIndex = getF64(data, at);
    at += 8;
  }
  const hasValue = method !== "DELETE";
  const hasPrevValue = (flags & PREV_VALUE) !== 0;
  const strings = 2 + (hasValue ? 1 : 0) + (hasPrevValue ? 1 : 0);
  if (data.length < at + 4 * strings) throw new Error("malformed request entry");
  // Ends of the strings, as offsets into the data.
  const idEnd = at + 4 * strings + getU32(data, at);
  const pathEnd = idEnd + getU32(data, at + 4);
  let valueEnd = pathEnd;
  if (hasValue) valueEnd += getU32(data, at + 8);
  const prevValueEnd = hasPrevValue ? valueEnd + getU32(data, at + 4 * strings - 4) : valueEnd;
  if (prevValueEnd !== data.length) throw new Error("malformed request entry");
  const b = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const id = b.toString("utf8", at + 4 * strings, idEnd);
  const path = b.toString("utf8", idEnd, pathEnd);
  const prevValue = hasPrevValue ? b.toString("utf8", valueEnd, prevValueEnd) : undefined;
  const dir = (flags & DIR) !== 0;
  let req: V2Request;
  if (method === "DELETE") {
    req = { method, path, dir, recursive: (flags & RECURSIVE) !== 0, prevValue, prevIndex, nowUs };
  } else if (method === "POST") {
    req = { method, path, value: b.toString("utf8", pathEnd, valueEnd), dir, expireAtUs, nowUs };
  } else {
    const prevExist = flags & PREV_EXIST_SET ? (flags & PREV_EXIST) !== 0 : undefined;
    req = { method, path, value: b.toString("utf8", pathEnd, valueEnd), dir, prevExist, prevValue, prevIndex, expireAtUs, refresh: (flags & REFRESH) !== 0, nowUs };
  }
  return { id, req };
}

/** The strings of a write, in the compact form's order; null when a field is not what its type says. */
function compactText(id: string, req: Write): string | null {
  const prevValue = req.method === "POST" ? undefined : req.prevValue;
  if (typeof id !== "string" || typeof req.path !== "string" || (prevValue !== undefined && typeof prevValue !== "string")) return null;
  if (req.method === "DELETE") return id + req.path + (prevValue ?? "");
  if (typeof req.value !== "string") return null;
  return id + req.path + req.value + (prevValue ?? "");
}

export function encodeRequestEntry(id: string, req: V2Request): Uint8Array {
  if (req.method === "PUT" || req.method === "POST" || req.method === "DELETE") {
    const text = compactText(id, req);
    // UTF-8 cannot carry a lone surrogate (no request decoded from HTTP has one); JSON keeps it,
    // and keeps a malformed request as it is, for the store to refuse when it is applied.
    if (text !== null && text.isWellFormed()) return encodeCompact(id, req, text);
  }
  return utf8.encode(JSON.stringify({ id, req }));
}

/** Throws on bytes that are not a logged request (a corrupt or foreign entry). */
export function decodeRequestEntry(data: Uint8Array): LoggedRequest {
  if (data[0] === COMPACT) return decodeCompact(data);
  if (data[0] !== JSON_OPEN) throw new Error("malformed request entry");
  const v = JSON.parse(utf8Decode.decode(data)) as LoggedRequest;
  if (typeof v !== "object" || v === null || typeof v.id !== "string" || typeof v.req !== "object" || v.req === null) {
    throw new Error("malformed request entry");
  }
  return v;
}
/** The context of a ConfChange entry: the member it concerns and, when proposed through the API, who waits. */
export interface ConfChangeContext {
  reqId?: string;
  member: { id: string; name: string; peerURLs: string[] };
}

export function encodeConfContext(ctx: ConfChangeContext): Uint8Array {
  return utf8.encode(JSON.stringify(ctx));
}

export function decodeConfContext(data: Uint8Array): ConfChangeContext | null {
  if (data.length === 0) return null;
  try {
    const v = JSON.parse(utf8Decode.decode(data)) as ConfChangeContext;
    return v && typeof v === "object" && v.member && Array.isArray(v.member.peerURLs) ? v : null;
  } catch {
    return null;
  }
}
