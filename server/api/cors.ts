// CORS as etcd 3.4 adds it: on every response for an allowed origin, and OPTIONS answered 200.

const ALLOW_METHODS = "POST, GET, OPTIONS, PUT, DELETE";
const ALLOW_HEADERS = "accept, content-type, authorization";

/** Returns the Access-Control-Allow-Origin value for this request, or null for none. */
export function corsOrigin(origins: readonly string[], request: Request): string | null {
  if (origins.length === 0) return null;
  if (origins.includes("*")) return "*";
  const origin = request.headers.get("origin");
  return origin !== null && origins.includes(origin) ? origin : null;
}

export function addCorsHeaders(headers: Headers, origin: string): void {
  headers.set("Access-Control-Allow-Origin", origin);
  headers.set("Access-Control-Allow-Methods", ALLOW_METHODS);
  headers.set("Access-Control-Allow-Headers", ALLOW_HEADERS);
}

/** The same headers into a record a Response is about to be built from (cheaper than set()). */
export function corsHeaderRecord(headers: Record<string, string>, origin: string): void {
  headers["Access-Control-Allow-Origin"] = origin;
  headers["Access-Control-Allow-Methods"] = ALLOW_METHODS;
  headers["Access-Control-Allow-Headers"] = ALLOW_HEADERS;
}
