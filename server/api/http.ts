// Small response builders shared by every route; the ONE place EtcdError becomes HTTP.
import { EtcdError, ErrorCode } from "../store/types.ts";
import { MembershipError } from "../member/types.ts";
import { goJSON } from "./go-json.ts";
import { trimCause } from "./paths.ts";

export const JSON_TYPE = "application/json";
export const TEXT_TYPE = "text/plain; charset=utf-8";

/** Go's http.Error: text/plain with nosniff and a trailing newline. */
export function plainError(status: number, text: string, extra: Record<string, string> = {}): Response {
  return new Response(text + "\n", {
    status,
    headers: { "Content-Type": TEXT_TYPE, "X-Content-Type-Options": "nosniff", ...extra },
  });
}

/** What Go's server itself answers for a request it cannot parse (no handler runs). */
export function badRequest(): Response {
  return new Response("400 Bad Request", { status: 400, headers: { "Content-Type": TEXT_TYPE, Connection: "close" } });
}

export function notFound(): Response {
  return plainError(404, "404 page not found");
}

export function methodNotAllowed(allow: string): Response {
  return plainError(405, "Method Not Allowed", { Allow: allow });
}

/** etcd's v2 error body; anything that is not an EtcdError is reported as 300 with its message. */
export function keysErrorResponse(err: unknown, clusterId: string): Response {
  const e = err instanceof EtcdError ? err : new EtcdError(ErrorCode.RaftInternal, err instanceof Error ? err.message : String(err), 0);
  const body = e.cause_ === "" ? e.toJSON() : { ...e.toJSON(), cause: trimCause(e.cause_) };
  if (body.cause === "") delete body.cause;
  return new Response(goJSON(body) + "\n", {
    status: e.status,
    headers: { "Content-Type": JSON_TYPE, "X-Etcd-Cluster-Id": clusterId, "X-Etcd-Index": String(e.index) },
  });
}

/** The `{"message":...}` errors of the members, stats and auth endpoints (no trailing newline). */
export function messageError(status: number, message: string, headers: Record<string, string> = {}): Response {
  return new Response(goJSON({ message }), { status, headers: { "Content-Type": JSON_TYPE, ...headers } });
}

/** Members-API errors: the member's typed failures keep their status; anything else is a 500. */
export function membershipErrorResponse(err: unknown, clusterId: string): Response {
  const headers = { "X-Etcd-Cluster-Id": clusterId };
  if (err instanceof MembershipError) return messageError(err.status, err.message, headers);
  return messageError(500, "Internal Server Error", headers);
}

export function jsonResponse(body: unknown, opts: { status?: number; newline?: boolean; headers?: Record<string, string> } = {}): Response {
  return new Response(goJSON(body) + (opts.newline ? "\n" : ""), {
    status: opts.status ?? 200,
    headers: { "Content-Type": JSON_TYPE, ...opts.headers },
  });
}
