// Static bootstrap from --initial-cluster (operations.md §2, §3, §9): parse and validate the
// member list, derive IDs, and when joining an existing cluster take IDs and the cluster ID
// from a running peer's `/members`, refusing a local list that does not match it.
import type { MemberJSON } from "../../shared/v2.ts";
import { checkURL } from "../config/urls.ts";
import { membersFromPeerJSON } from "../peer/members-json.ts";
import { peerClientTls } from "../peer/tls.ts";
import type { PeerTlsOptions } from "../peer/types.ts";
import { byMemberId, computeClusterId, computeMemberId } from "./ids.ts";

/** A startup configuration error; the message is etcd's, for the operator. */
export class BootstrapError extends Error {
  override readonly name = "BootstrapError";
}

/** Member name → its peer URLs, sorted (as etcd's URLsMap keeps them). */
export type URLsMap = Map<string, string[]>;

/** `name=url,name=url,...`; a name may repeat to give one member several URLs. */
export function parseInitialCluster(text: string): URLsMap {
  const map: URLsMap = new Map();
  try {
    for (const pair of text.split(",")) {
      if (pair.trim() === "") continue;
      const eq = pair.indexOf("=");
      const name = eq < 0 ? pair : pair.slice(0, eq);
      const url = eq < 0 ? "" : pair.slice(eq + 1);
      const urls = map.get(name) ?? [];
      // checkURL returns the URL unchanged: IDs hash its exact text.
      urls.push(checkURL(url));
      map.set(name, urls);
    }
  } catch (e) {
    throw new BootstrapError(`error setting up initial cluster: ${(e as Error).message}`);
  }
  for (const urls of map.values()) urls.sort();
  return map;
}

/** etcd's URLsMap string: names sorted, `name=url` pairs joined by commas. */
export function urlsMapToString(map: URLsMap): string {
  return [...map.keys()]
    .sort()
    .flatMap((name) => map.get(name)!.map((u) => `${name}=${u}`))
    .join(",");
}

export interface StaticBootstrapOptions {
  name: string;
  initialCluster: string;
  initialAdvertisePeerURLs: string[];
  initialClusterToken: string;
  initialClusterState: "new" | "existing";
  /** TLS material for reaching https peers' `/members`. */
  tls?: PeerTlsOptions;
  /** Per-peer timeout for `GET /members`. */
  fetchTimeoutMs?: number;
}

export interface StaticBootstrap {
  selfId: string;
  clusterId: string;
  /** Sorted by ID. Names come from --initial-cluster; client URLs from the running cluster when joining. */
  members: MemberJSON[];
}

interface RemoteCluster {
  clusterId: string;
  members: MemberJSON[];
}

function sameURLs(a: readonly string[], b: readonly string[]): boolean {
  const x = [...a].sort();
  const y = [...b].sort();
  return x.length === y.length && x.every((u, i) => u === y[i]);
}

function checkLocalMember(map: URLsMap, opts: StaticBootstrapOptions, strict: boolean): void {
  const urls = map.get(opts.name);
  if (urls === undefined) throw new BootstrapError(`couldn't find local name ${JSON.stringify(opts.name)} in the initial cluster configuration`);
  if (strict && !sameURLs(urls, opts.initialAdvertisePeerURLs)) {
    throw new BootstrapError(`${opts.name} has different advertised URLs in the cluster and advertised peer URLs list`);
  }
}

function hasDuplicateURL(map: URLsMap): boolean {
  const seen = new Set<string>();
  for (const urls of map.values()) {
    for (const u of urls) {
      if (seen.has(u)) return true;
      seen.add(u);
    }
  }
  return false;
}

/** Asks each URL in turn for the running cluster's members; null when none answers. */
export async function fetchRemoteCluster(urls: readonly string[], opts: { tls?: PeerTlsOptions; timeoutMs?: number } = {}): Promise<RemoteCluster | null> {
  const tls = peerClientTls(opts.tls);
  for (const url of urls) {
    try {
      const res = await fetch(new URL("/members", url), { tls, signal: AbortSignal.timeout(opts.timeoutMs ?? 1000) } as RequestInit);
      if (res.status !== 200) continue;
      const clusterId = res.headers.get("X-Etcd-Cluster-Id");
      if (!clusterId) continue;
      return { clusterId: clusterId.toLowerCase(), members: membersFromPeerJSON(await res.text()) };
    } catch {
      // Try the next peer URL.
    }
  }
  return null;
}

/** Peer URLs of every member but this one, where a running cluster could answer. */
function remotePeerURLs(map: URLsMap, self: string): string[] {
  return [...map].filter(([name]) => name !== self).flatMap(([, urls]) => urls).sort();
}

/** Local members (IDs from the token) take the IDs of the running members with the same peer URLs. */
function matchExisting(local: MemberJSON[], remote: RemoteCluster): MemberJSON[] {
  if (local.length !== remote.members.length) throw new BootstrapError("member count is unequal");
  const key = (m: MemberJSON) => [...m.peerURLs].sort().join(",");
  const ls = [...local].sort((a, b) => key(a).localeCompare(key(b)));
  const rs = [...remote.members].sort((a, b) => key(a).localeCompare(key(b)));
  return ls.map((l, i) => {
    const r = rs[i]!;
    if (!sameURLs(l.peerURLs, r.peerURLs)) throw new BootstrapError("unmatched member while checking PeerURLs");
    return { id: r.id, name: l.name, peerURLs: l.peerURLs, clientURLs: r.clientURLs };
  });
}

export async function bootstrapStatic(opts: StaticBootstrapOptions): Promise<StaticBootstrap> {
  const map = parseInitialCluster(opts.initialCluster);
  const joining = opts.initialClusterState === "existing";
  checkLocalMember(map, opts, !joining);
  if (!joining && hasDuplicateURL(map)) throw new BootstrapError(`initial cluster ${urlsMapToString(map)} has duplicate url`);

  const local: MemberJSON[] = [...map].map(([name, peerURLs]) => ({
    id: computeMemberId(peerURLs, opts.initialClusterToken),
    name,
    peerURLs,
    clientURLs: [],
  }));
  const selfPeerURLs = map.get(opts.name)!;
  const fetchOpts = { tls: opts.tls, timeoutMs: opts.fetchTimeoutMs };
  const remote = await fetchRemoteCluster(remotePeerURLs(map, opts.name), fetchOpts);

  if (!joining) {
    const selfId = computeMemberId(selfPeerURLs, opts.initialClusterToken);
    // A started member (it published client URLs) with our ID means this data dir was lost, not new.
    const already = remote?.members.find((m) => m.id === selfId);
    if (already && already.clientURLs.length > 0) throw new BootstrapError(`member ${selfId} has already been bootstrapped`);
    return { selfId, clusterId: computeClusterId(local.map((m) => m.id)), members: local.sort(byMemberId) };
  }

  if (remote === null) {
    throw new BootstrapError("cannot fetch cluster info from peer urls: could not retrieve cluster information from the given urls");
  }
  const members = matchExisting(local, remote);
  const self = members.find((m) => m.name === opts.name && sameURLs(m.peerURLs, selfPeerURLs))!;
  return { selfId: self.id, clusterId: remote.clusterId, members: members.sort(byMemberId) };
}
