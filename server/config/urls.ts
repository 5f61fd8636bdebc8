// Comma-separated URL lists as etcd's types.NewURLs accepts them: http/https/unix/unixs,
// host:port for http(s), no path, query or fragment.
import { ConfigError } from "./parse.ts";

/** One URL as etcd's types.NewURLs checks it; throws ConfigError with etcd's message. */
export function checkURL(raw: string): string {
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/([^/?#]*)(.*)$/.exec(raw);
  const scheme = m?.[1]?.toLowerCase() ?? "";
  if (!m || !["http", "https", "unix", "unixs"].includes(scheme)) {
    throw new ConfigError(`URL scheme must be http, https, unix, or unixs: ${raw}`);
  }
  if ((scheme === "http" || scheme === "https") && !/^(\[[0-9a-fA-F:.]+\]|[^:[\]]+):\d{1,5}$/.test(m[2]!)) {
    throw new ConfigError(`URL address does not have the form "host:port": ${raw}`);
  }
  if (m[3] !== "") throw new ConfigError(`URL must not contain a path: ${raw}`);
  return raw;
}

/** Validated, sorted (etcd sorts URL lists) and de-duplicated. */
export function parseURLs(text: string): string[] {
  const list = text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (list.length === 0) throw new ConfigError("URL list is empty");
  return [...new Set(list.map(checkURL))].sort();
}

export interface ListenAddress {
  scheme: "http" | "https";
  hostname: string;
  port: number;
}

/** Where Bun.serve should bind for a listen URL; brackets are removed from IPv6 literals. */
export function listenAddress(url: string): ListenAddress {
  const u = new URL(url);
  if (u.protocol !== "http:" && u.protocol !== "https:") {
    throw new ConfigError(`cannot listen on ${url}: only http and https listeners are supported`);
  }
  const hostname = u.hostname.startsWith("[") ? u.hostname.slice(1, -1) : u.hostname;
  const port = u.port === "" ? (u.protocol === "https:" ? 443 : 80) : Number(u.port);
  return { scheme: u.protocol === "https:" ? "https" : "http", hostname, port };
}
