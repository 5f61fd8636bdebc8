// In-process API harness: a LocalMember with a controllable clock behind createApp, and a
// request helper returning status, headers and body text.
import { createApp, type AppOptions } from "../../server/api/app.ts";
import { LocalMember } from "../../server/member/local.ts";

export const CLUSTER_ID = "534a021c215e0774";
export const MEMBER_ID = "b5179d13d0285315";

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  json: () => any;
}

export function harness(opts: AppOptions & { syncIntervalMs?: number } = {}) {
  let now = Date.UTC(2026, 10, 25, 12, 0, 0) * 1000;
  const clock = { nowUs: () => now, advanceUs: (us: number) => (now += us) };
  const member = new LocalMember({
    id: MEMBER_ID,
    name: "n1",
    clusterId: CLUSTER_ID,
    peerURLs: ["http://127.0.0.1:24380"],
    clientURLs: ["http://127.0.0.1:24379"],
    nowUs: clock.nowUs,
    syncIntervalMs: opts.syncIntervalMs,
  });
  const app = createApp(member, { nowUs: clock.nowUs, ...opts });
  async function call(method: string, path: string, init: { form?: string; headers?: Record<string, string>; body?: BodyInit } = {}): Promise<Reply> {
    const headers: Record<string, string> = { ...init.headers };
    if (init.form !== undefined) headers["content-type"] ??= "application/x-www-form-urlencoded";
    const res = await app.handle(new Request(`http://127.0.0.1:24379${path}`, { method, headers, body: init.form ?? init.body }));
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) };
  }
  return { app, member, clock, call };
}

/** The etcd headers of a reply, for exact comparison. */
export function etcdHeaders(r: Reply): Record<string, string | null> {
  return {
    "content-type": r.headers.get("content-type"),
    "x-etcd-cluster-id": r.headers.get("x-etcd-cluster-id"),
    "x-etcd-index": r.headers.get("x-etcd-index"),
    "x-raft-index": r.headers.get("x-raft-index"),
    "x-raft-term": r.headers.get("x-raft-term"),
  };
}
