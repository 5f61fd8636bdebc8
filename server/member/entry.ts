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
