// Shorthands that keep the case tables one line per request.
import type { Req, Step } from "../harness/types.ts";

type Extra = Omit<Req, "path" | "method" | "form"> & Record<string, unknown>;

export const get = (path: string, extra: Extra = {}): Step => ({ method: "GET", path, ...extra });
export const head = (path: string, extra: Extra = {}): Step => ({ method: "HEAD", path, ...extra });
export const put = (path: string, form?: Req["form"], extra: Extra = {}): Step => ({ method: "PUT", path, form, ...extra });
export const post = (path: string, form?: Req["form"], extra: Extra = {}): Step => ({ method: "POST", path, form, ...extra });
export const del = (path: string, extra: Extra = {}): Step => ({ method: "DELETE", path, ...extra });
export const watch = (id: string, path: string, extra: Extra = {}): Step => ({ do: "watch", id, method: "GET", path, ...extra });
export const next = (id: string, extra: Record<string, unknown> = {}): Step => ({ do: "await", id, ...extra });
export const silent = (id: string, pendingMs = 300): Step => ({ do: "await", id, pendingMs });
export const sleep = (ms: number): Step => ({ do: "sleep", ms });
