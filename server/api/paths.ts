// Request paths as Go's ServeMux sees them: percent-decoded, and answered with a 301 to the
// cleaned path when they contain `//`, `/./` or `/../` (so handlers only see clean paths).
import type { EventJSON } from "../store/types.ts";
import { cleanPath } from "../store/path.ts";
import { percentDecode } from "./form.ts";
import { goJSON } from "./go-json.ts";

export interface RequestTarget {
  /** Percent-decoded path. */
  path: string;
  /** Raw query string without the `?`. */
  query: string;
}

/** Splits the request URL without building a URL object (this runs on every request). */
export function requestTarget(url: string): RequestTarget | null {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  if (start < 0) return { path: "/", query: "" };
  const q = url.indexOf("?", start);
  const rawPath = q < 0 ? url.slice(start) : url.slice(start, q);
  const query = q < 0 ? "" : url.slice(q + 1);
  try {
    return { path: percentDecode(rawPath), query };
  } catch {
    return null;
  }
}

/** Go's mux cleanPath: path.Clean, keeping a trailing slash. */
export function muxCleanPath(p: string): string {
  const cleaned = cleanPath(p);
  return p.endsWith("/") && cleaned !== "/" ? cleaned + "/" : cleaned;
}

export function needsCleaning(path: string): boolean {
  return path.includes("//") || path.includes("/./") || path.includes("/../") || path.endsWith("/.") || path.endsWith("/..");
}

const htmlEscapes: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&#34;", "'": "&#39;" };

/** Go's http.Redirect with 301: an HTML body only for GET and HEAD. */
export function movedPermanently(target: RequestTarget, method: string): Response {
  const location = encodeURI(muxCleanPath(target.path)) + (target.query === "" ? "" : "?" + target.query);
  if (method !== "GET" && method !== "HEAD") return new Response(null, { status: 301, headers: { Location: location } });
  const href = location.replace(/[&<>"']/g, (c) => htmlEscapes[c]!);
  return new Response(method === "HEAD" ? null : `<a href="${href}">Moved Permanently</a>.\n\n`, {
    status: 301,
    headers: { Location: location, "Content-Type": "text/html; charset=utf-8" },
  });
}

/** Maps a user key ("/foo") into the store's user namespace ("/1/foo"). */
export const USER_PREFIX = "/1";

export function storeKey(userPath: string): string {
  return userPath === "/" || userPath === "" ? USER_PREFIX : USER_PREFIX + cleanPath(userPath);
}

/** Error causes name store paths; clients see them without the namespace (etcd's trimErrorPrefix). */
export function trimCause(cause: string): string {
  return cause.startsWith(USER_PREFIX) ? cause.slice(USER_PREFIX.length) : cause;
}

const KEY_IN_NAMESPACE = '"key":"/1';
const SLASH = 47;
const QUOTE = 34;
const COMMA = 44;

/**
 * An event as JSON text with the namespace removed from every `key`. A raw `"key":"` can only be a field
 * name in JSON (quotes inside strings are escaped), so a text edit is exact and much cheaper
 * than copying the (shared, immutable) event tree. The namespace dir itself becomes the keyless root.
 */
export function eventJSON(event: EventJSON): string {
  return trimNamespaceKeys(goJSON(event));
}

/**
 * The namespace left off every `"key":"/1…"` in JSON text. Exact on any piece of an event's text
 * that does not split a key member from the character after its value.
 */
export function trimNamespaceKeys(text: string): string {
  // One pass over the original text: a second would also hit user key "/1" once the first had
  // trimmed "/1/1". `"key":"/1/x` becomes `"key":"/x`; `"key":"/1",` (the namespace) goes.
  let at = text.indexOf(KEY_IN_NAMESPACE);
  if (at < 0) return text;
  let out = "";
  let from = 0;
  for (; at >= 0; at = text.indexOf(KEY_IN_NAMESPACE, at + KEY_IN_NAMESPACE.length)) {
    const next = text.charCodeAt(at + KEY_IN_NAMESPACE.length);
    if (next === SLASH) {
      out += text.slice(from, at + KEY_IN_NAMESPACE.length - 2);
      from = at + KEY_IN_NAMESPACE.length;
    } else if (next === QUOTE && text.charCodeAt(at + KEY_IN_NAMESPACE.length + 1) === COMMA) {
      out += text.slice(from, at);
      from = at + KEY_IN_NAMESPACE.length + 2;
    }
  }
  return out + text.slice(from);
}
