// The ordinary etcd v2 keys API, as the Keys view uses it. Errors come back as values so the
// view can show etcd's own message (and, for a lost compare-and-swap, the current node).
import type { ErrorJSON, EventJSON, NodeJSON } from "../../shared/v2.ts";
import { apiURL } from "./endpoint.ts";

export type KeysResult = { ok: true; event: EventJSON; etcdIndex: number } | { ok: false; error: ErrorJSON; status: number };

/** Encode each path segment, keep the slashes. */
export function keyPath(key: string): string {
  const clean = `/${key.replace(/^\/+/, "")}`;
  return clean.split("/").map(encodeURIComponent).join("/");
}

async function call(method: string, key: string, opts: { params?: Record<string, string>; form?: Record<string, string> }): Promise<KeysResult> {
  const { form } = opts;
  const qs = new URLSearchParams(opts.params ?? {}).toString();
  const init: RequestInit = { method };
  if (form) {
    init.body = new URLSearchParams(form);
    init.headers = { "Content-Type": "application/x-www-form-urlencoded" };
  }
  let res: Response;
  try {
    res = await fetch(apiURL(`/v2/keys${keyPath(key)}${qs ? `?${qs}` : ""}`), init);
  } catch (e) {
    return { ok: false, status: 0, error: { errorCode: 0, message: `member unreachable: ${String(e)}`, index: 0 } };
  }
  const body = (await res.json().catch(() => null)) as (EventJSON & ErrorJSON) | null;
  if (!res.ok || !body || body.errorCode !== undefined) {
    const error = body?.errorCode !== undefined ? body : { errorCode: 0, message: `HTTP ${res.status}`, index: 0 };
    return { ok: false, status: res.status, error };
  }
  return { ok: true, event: body, etcdIndex: Number(res.headers.get("X-Etcd-Index") ?? 0) };
}

export function getKey(key: string, opts: { recursive?: boolean } = {}): Promise<KeysResult> {
  return call("GET", key, { params: { sorted: "true", ...(opts.recursive ? { recursive: "true" } : {}) } });
}

export interface WriteOptions {
  value?: string;
  dir?: boolean;
  /** Seconds; undefined keeps no TTL. */
  ttlSecs?: number;
  prevIndex?: number;
  prevExist?: boolean;
}

export function putKey(key: string, opts: WriteOptions): Promise<KeysResult> {
  const form: Record<string, string> = {};
  if (opts.dir) form.dir = "true";
  else form.value = opts.value ?? "";
  if (opts.ttlSecs !== undefined) form.ttl = String(opts.ttlSecs);
  if (opts.prevIndex) form.prevIndex = String(opts.prevIndex);
  if (opts.prevExist !== undefined) form.prevExist = String(opts.prevExist);
  return call("PUT", key, { form });
}

export function deleteKey(key: string, opts: { dir: boolean; prevIndex?: number }): Promise<KeysResult> {
  const params: Record<string, string> = opts.dir ? { dir: "true", recursive: "true" } : {};
  if (opts.prevIndex) params.prevIndex = String(opts.prevIndex);
  return call("DELETE", key, { params });
}

/** Every node under `dir` (recursive GET), flattened, keys in order. */
export function flatten(node: NodeJSON, out: NodeJSON[] = []): NodeJSON[] {
  for (const child of node.nodes ?? []) {
    out.push(child);
    if (child.dir) flatten(child, out);
  }
  return out;
}

export function baseName(key: string): string {
  return key.slice(key.lastIndexOf("/") + 1) || "/";
}

export function parentDir(key: string): string {
  const i = key.lastIndexOf("/");
  return i <= 0 ? "/" : key.slice(0, i);
}
