// The bytes of a normal log entry: the proposing member's request ID and the store request.
// JSON keeps the log readable in the dashboard's Log view; the request is already plain data.
import type { V2Request } from "../store/types.ts";

export interface LoggedRequest {
  /** Unique per proposal across the cluster; only the proposer waits on it. */
  id: string;
  req: V2Request;
}

const utf8 = new TextEncoder();
const utf8Decode = new TextDecoder();

export function encodeRequestEntry(id: string, req: V2Request): Uint8Array {
  return utf8.encode(JSON.stringify({ id, req }));
}

const ID_OPEN = utf8.encode('{"id":"');
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * The request ID of an encoded entry without parsing the rest, or null when the bytes do not
 * start the way encodeRequestEntry writes them (or the ID holds an escape).
 */
export function requestEntryId(data: Uint8Array): string | null {
  if (data.length <= ID_OPEN.length) return null;
  for (let i = 0; i < ID_OPEN.length; i++) if (data[i] !== ID_OPEN[i]) return null;
  // IDs are ASCII (a member prefix and a counter), so the characters are the bytes: cheaper than
  // a subarray and a TextDecoder call for ~20 characters. Anything else falls back to the parse.
  let id = "";
  for (let i = ID_OPEN.length; i < data.length && i < 256; i++) {
    const c = data[i]!;
    if (c === QUOTE) return id;
    if (c === BACKSLASH || c >= 0x80) return null;
    id += String.fromCharCode(c);
  }
  return null;
}

/**
 * True when JSON.parse(JSON.stringify(req)) reads back exactly as req (flat, and every value a
 * string, boolean, null, absent or finite number other than -0). Only then may the proposer apply
 * its own object instead of decoding the entry: every other member applies the decoded form, and a
 * NaN that became null on them must become null here too.
 */
export function roundTripsExactly(req: V2Request): boolean {
  for (const k in req) {
    const v = (req as unknown as Record<string, unknown>)[k];
    const t = typeof v;
    if (t === "string" || t === "boolean" || v === null || v === undefined) continue;
    if (t !== "number" || !Number.isFinite(v) || Object.is(v, -0)) return false;
  }
  return true;
}

/** Throws on bytes that are not a logged request (a corrupt or foreign entry). */
export function decodeRequestEntry(data: Uint8Array): LoggedRequest {
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
