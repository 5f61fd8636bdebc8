// Cluster membership as etcd v2 keeps it: inside the replicated store's "/0" namespace, so it
// is part of every snapshot and consumes store indexes like etcd's does.
//   /0/members/<id>/raftAttributes  {"peerURLs":[...]}
//   /0/members/<id>/attributes      {"name":"...","clientURLs":[...]}   (published by the member)
//   /0/removed_members/<id>         ""
import type { MemberJSON } from "../../shared/v2.ts";
import type { NodeJSON, V2Request, V2Store } from "../store/types.ts";
import { byMemberId } from "../bootstrap/ids.ts";
import { ETCD_CLUSTER_VERSION } from "./version.ts";

export const MEMBERS_DIR = "/0/members";
export const REMOVED_DIR = "/0/removed_members";
export const CLUSTER_VERSION_PATH = "/0/version";

function put(path: string, value: string): V2Request {
  return { method: "PUT", path, value, dir: false, expireAtUs: null, refresh: false, nowUs: 0 };
}

export function raftAttributesRequest(id: string, peerURLs: string[]): V2Request {
  return put(`${MEMBERS_DIR}/${id}/raftAttributes`, JSON.stringify({ peerURLs }));
}

export function attributesRequest(id: string, attrs: { name: string; clientURLs: string[] }): V2Request {
  return put(`${MEMBERS_DIR}/${id}/attributes`, JSON.stringify({ name: attrs.name, clientURLs: attrs.clientURLs }));
}

export function clusterVersionRequest(): V2Request {
  return put(CLUSTER_VERSION_PATH, ETCD_CLUSTER_VERSION);
}

export function removeRequests(id: string): V2Request[] {
  return [
    { method: "DELETE", path: `${MEMBERS_DIR}/${id}`, dir: true, recursive: true, nowUs: 0 },
    put(`${REMOVED_DIR}/${id}`, ""),
  ];
}

function children(store: V2Store, path: string): NodeJSON[] {
  try {
    return store.get(path, { recursive: true, sorted: false, nowUs: 0 }).event.node?.nodes ?? [];
  } catch {
    return [];
  }
}

function parseJSON<T>(text: string | undefined): T | null {
  if (text === undefined) return null;
  try {
    return JSON.parse(text) as T;
  } catch {
    return null;
  }
}

/** Members and removed IDs as recorded in the store. */
export function readMembership(store: V2Store): { members: MemberJSON[]; removed: Set<string> } {
  const members: MemberJSON[] = [];
  for (const dir of children(store, MEMBERS_DIR)) {
    const id = dir.key!.slice(MEMBERS_DIR.length + 1);
    let peerURLs: string[] = [];
    let name = "";
    let clientURLs: string[] = [];
    for (const n of dir.nodes ?? []) {
      if (n.key!.endsWith("/raftAttributes")) peerURLs = parseJSON<{ peerURLs: string[] }>(n.value)?.peerURLs ?? [];
      if (n.key!.endsWith("/attributes")) {
        const a = parseJSON<{ name: string; clientURLs: string[] }>(n.value);
        name = a?.name ?? "";
        clientURLs = a?.clientURLs ?? [];
      }
    }
    members.push({ id, name, peerURLs, clientURLs });
  }
  members.sort(byMemberId);
  const removed = new Set(children(store, REMOVED_DIR).map((n) => n.key!.slice(REMOVED_DIR.length + 1)));
  return { members, removed };
}
