// In-process API harness: a real single Raft member (WAL, peer transport) with a controllable
// TTL clock behind createApp, and a request helper returning status, headers and body text.
import { createApp, type AppOptions } from "../../server/api/app.ts";
import { startTestMember } from "../support/member.ts";

export const CLIENT_URL = "http://127.0.0.1:24379";

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  json: () => any;
}

export type Harness = Awaited<ReturnType<typeof harness>>;

export async function harness(opts: AppOptions = {}) {
  let now = Date.UTC(2026, 10, 25, 12, 0, 0) * 1000;
  const clock = { nowUs: () => now, advanceUs: (us: number) => (now += us) };
  const started = await startTestMember({ clientURLs: [CLIENT_URL], nowUs: clock.nowUs });
  const member = started.member;
  const app = createApp(member, { nowUs: clock.nowUs, ...opts });
  async function call(method: string, path: string, init: { form?: string; headers?: Record<string, string>; body?: BodyInit } = {}): Promise<Reply> {
    const headers: Record<string, string> = { ...init.headers };
    if (init.form !== undefined) headers["content-type"] ??= "application/x-www-form-urlencoded";
    const res = await app.handle(new Request(`${CLIENT_URL}${path}`, { method, headers, body: init.form ?? init.body }));
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) };
  }
  return { app, member, peerURL: started.peerURL, clock, call, stop: started.stop };
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
