// The peer-port `/members` document (cluster-api.md §3.6): member IDs as DECIMAL uint64 JSON
// numbers, which exceed 2^53, so the text is written and read by hand instead of JSON.stringify.
import type { MemberJSON } from "../../shared/v2.ts";
import { idFromString, idToString } from "../bootstrap/ids.ts";

/** Sorted by numeric ID; field order id, peerURLs, name, clientURLs; empty name/clientURLs left out. */
export function membersToPeerJSON(members: readonly MemberJSON[]): string {
  const sorted = members
    .map((m) => ({ m, id: idFromString(m.id) }))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const items = sorted.map(({ m, id }) => {
    let s = `{"id":${id.toString(10)},"peerURLs":${JSON.stringify(m.peerURLs)}`;
    if (m.name !== "") s += `,"name":${JSON.stringify(m.name)}`;
    if (m.clientURLs.length > 0) s += `,"clientURLs":${JSON.stringify(m.clientURLs)}`;
    return s + "}";
  });
  return `[${items.join(",")}]`;
}

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === "string");
}

/** Parses a peer `/members` body into client-API member objects (hex IDs). Throws on a malformed document. */
export function membersFromPeerJSON(text: string): MemberJSON[] {
  // Quote the bare decimal IDs so JSON.parse keeps every digit.
  const quoted = text.replace(/"id"\s*:\s*(\d+)/g, '"id":"$1"');
  const parsed: unknown = JSON.parse(quoted);
  if (!Array.isArray(parsed)) throw new Error("peer /members: expected a JSON array");
  return parsed.map((raw): MemberJSON => {
    const o = raw as Record<string, unknown>;
    if (typeof o !== "object" || o === null || typeof o.id !== "string" || !/^\d{1,20}$/.test(o.id)) {
      throw new Error("peer /members: member without a numeric id");
    }
    const id = BigInt(o.id);
    if (id >= 1n << 64n) throw new Error(`peer /members: id ${o.id} exceeds uint64`);
    const peerURLs = o.peerURLs ?? [];
    const clientURLs = o.clientURLs ?? [];
    const name = o.name ?? "";
    if (!isStringArray(peerURLs) || !isStringArray(clientURLs) || typeof name !== "string") {
      throw new Error(`peer /members: malformed member ${o.id}`);
    }
    return { id: idToString(id), name, peerURLs, clientURLs };
  });
}
