// The identity every peer request carries, and the receiver's check of it (operations.md §9):
// another cluster gets 412 "cluster ID mismatch", a removed member 410 "removed member".

export const H_CLUSTER_ID = "X-Etcd-Cluster-ID";
export const H_SERVER_FROM = "X-Server-From";
export const H_SERVER_VERSION = "X-Server-Version";
export const H_MIN_CLUSTER_VERSION = "X-Min-Cluster-Version";
export const H_RAFT_TO = "X-Raft-To";

export const DEFAULT_SERVER_VERSION = "2.3.8";
const MIN_CLUSTER_VERSION = "2.3.0";

export function peerRequestHeaders(opts: { selfId: string; clusterId: string; to: string; serverVersion: string }): Record<string, string> {
  return {
    [H_CLUSTER_ID]: opts.clusterId,
    [H_SERVER_FROM]: opts.selfId,
    [H_SERVER_VERSION]: opts.serverVersion,
    [H_MIN_CLUSTER_VERSION]: MIN_CLUSTER_VERSION,
    [H_RAFT_TO]: opts.to,
  };
}

export function plainText(status: number, body: string, headers: Record<string, string> = {}): Response {
  return new Response(body, { status, headers: { "Content-Type": "text/plain; charset=utf-8", ...headers } });
}

/** Refuses a peer request from another cluster, a removed member, or meant for another member; null when acceptable. */
export function checkPeerRequest(
  req: Request,
  opts: { selfId: string; clusterId: string; isRemoved(id: string): boolean },
): Response | null {
  const reply = { [H_CLUSTER_ID]: opts.clusterId };
  const theirs = req.headers.get(H_CLUSTER_ID);
  if (theirs === null || theirs.toLowerCase() !== opts.clusterId) return plainText(412, "cluster ID mismatch\n", reply);
  const from = (req.headers.get(H_SERVER_FROM) ?? "").toLowerCase();
  if (from !== "" && opts.isRemoved(from)) return plainText(410, "removed member\n", reply);
  const to = req.headers.get(H_RAFT_TO);
  if (to !== null && to.toLowerCase() !== opts.selfId) return plainText(412, "to field mismatch\n", reply);
  return null;
}

/** What a refused sender makes of the receiver's answer. */
export type Refusal = { kind: "clusterMismatch"; theirClusterId: string } | { kind: "removed" } | { kind: "other"; status: number; body: string };

export async function classifyRefusal(res: Response): Promise<Refusal> {
  const body = (await res.text().catch(() => "")).trim();
  if (res.status === 410) return { kind: "removed" };
  if (res.status === 412 && body === "cluster ID mismatch") {
    return { kind: "clusterMismatch", theirClusterId: res.headers.get(H_CLUSTER_ID) ?? "" };
  }
  return { kind: "other", status: res.status, body };
}
