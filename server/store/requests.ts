// Builders for V2Request with etcd's defaults filled in, so callers (tests, simulations, the
// local member) name only what differs from a plain request.
import type { TimeUs, V2Request } from "./types.ts";

type Put = Extract<V2Request, { method: "PUT" }>;
type Post = Extract<V2Request, { method: "POST" }>;
type Delete = Extract<V2Request, { method: "DELETE" }>;

export function putRequest(path: string, opts: Partial<Omit<Put, "method" | "path">> & { nowUs: TimeUs }): Put {
  return { method: "PUT", path, value: "", dir: false, expireAtUs: null, refresh: false, ...opts };
}

export function postRequest(path: string, opts: Partial<Omit<Post, "method" | "path">> & { nowUs: TimeUs }): Post {
  return { method: "POST", path, value: "", dir: false, expireAtUs: null, ...opts };
}

export function deleteRequest(
  path: string,
  opts: Partial<Omit<Delete, "method" | "path">> & { nowUs: TimeUs },
): Delete {
  return { method: "DELETE", path, dir: false, recursive: false, ...opts };
}
