// The small read-only endpoints: /version, /health, /v2/machines, /v2/stats/*, /metrics.
import type { Member } from "../member/types.ts";
import { VERSION_DOCUMENT } from "../member/version.ts";
import { jsonResponse, messageError, methodNotAllowed, TEXT_TYPE } from "./http.ts";


function getOnly(request: Request, answer: () => Response | Promise<Response>): Response | Promise<Response> {
  return request.method === "GET" ? answer() : methodNotAllowed("GET");
}

export function handleVersion(request: Request): Response | Promise<Response> {
  return getOnly(request, () => jsonResponse(VERSION_DOCUMENT));
}

export function handleHealth(request: Request, member: Member): Response | Promise<Response> {
  return getOnly(request, async () => {
    const ok = await member.health().catch(() => false);
    const reason = ok ? null : (member.diskFailure?.() ?? null);
    // etcd's body; a failed disk adds its cause (etcd 3.5's "reason" field) so operators see why.
    const body = ok ? '{"health":"true"}' : reason ? JSON.stringify({ health: "false", reason }) : '{"health":"false"}';
    return new Response(body, {
      status: ok ? 200 : 503,
      headers: { "Content-Type": TEXT_TYPE },
    });
  });
}

export function handleMachines(request: Request, member: Member): Response {
  if (request.method !== "GET" && request.method !== "HEAD") return methodNotAllowed("GET,HEAD");
  const body = member.members().flatMap((m) => m.clientURLs).join(", ");
  return new Response(request.method === "HEAD" ? null : body, { headers: { "Content-Type": TEXT_TYPE } });
}

export function handleStats(request: Request, which: "self" | "leader" | "store", member: Member): Response | Promise<Response> {
  return getOnly(request, () => {
    switch (which) {
      case "self":
        return jsonResponse(member.selfStats());
      case "leader": {
        const stats = member.leaderStats();
        return stats === null ? messageError(403, "not current leader") : jsonResponse(stats);
      }
      default:
        return jsonResponse(member.store.stats());
    }
  });
}

export function handleMetrics(request: Request, member: Member): Response | Promise<Response> {
  return getOnly(request, async () => {
    const leader = member.leader();
    const stats = member.store.stats();
    const lines = [
      "# TYPE etcd_server_has_leader gauge",
      `etcd_server_has_leader ${leader === null ? 0 : 1}`,
      "# TYPE etcd_server_is_leader gauge",
      `etcd_server_is_leader ${leader?.id === member.id ? 1 : 0}`,
      "# TYPE etcd_server_proposals_applied_total gauge",
      `etcd_server_proposals_applied_total ${member.raftIndex()}`,
      // etcd names its fsync histogram so; only the count is kept, which is what writes-per-fsync needs.
      ...(member.walSyncCount ? ["# TYPE etcd_disk_wal_fsync_duration_seconds_count counter", `etcd_disk_wal_fsync_duration_seconds_count ${member.walSyncCount()}`] : []),
      "# TYPE etcd_debugging_store_watchers gauge",
      `etcd_debugging_store_watchers ${stats.watchers}`,
      "# TYPE etcd_debugging_store_expires_total counter",
      `etcd_debugging_store_expires_total ${stats.expireCount}`,
      "# TYPE etcd_debugging_store_reads_total counter",
      `etcd_debugging_store_reads_total{action="get"} ${stats.getsSuccess + stats.getsFail}`,
      "# TYPE etcd_debugging_store_writes_total counter",
      `etcd_debugging_store_writes_total{action="set"} ${stats.setsSuccess + stats.setsFail}`,
      `etcd_debugging_store_writes_total{action="create"} ${stats.createSuccess + stats.createFail}`,
      `etcd_debugging_store_writes_total{action="update"} ${stats.updateSuccess + stats.updateFail}`,
      `etcd_debugging_store_writes_total{action="delete"} ${stats.deleteSuccess + stats.deleteFail}`,
      `etcd_debugging_store_writes_total{action="compareAndSwap"} ${stats.compareAndSwapSuccess + stats.compareAndSwapFail}`,
      `etcd_debugging_store_writes_total{action="compareAndDelete"} ${stats.compareAndDeleteSuccess + stats.compareAndDeleteFail}`,
    ];
    return new Response(lines.join("\n") + "\n", { headers: { "Content-Type": "text/plain; version=0.0.4; charset=utf-8" } });
  });
}
