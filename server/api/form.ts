// Request parameters as Go's Request.ParseForm sees them: the url-encoded body (PUT/POST only)
// first, then the query string; the first occurrence of a name wins. Errors carry Go's text,
// which etcd puts in the `cause` of error 210.

/** Go's http.maxFormSize: a larger url-encoded body is refused. */
export const MAX_FORM_BYTES = 10 << 20;

export class FormError extends Error {}

const decoder = new TextDecoder("utf-8", { fatal: false });

const BAD_ESCAPE = /%(?![0-9a-fA-F]{2})/;
const ESCAPE_RUN = /(?:%[0-9a-fA-F]{2})+/g;

/** Go's url.PathUnescape: `%XX` is a byte; bytes that are not UTF-8 show as U+FFFD. */
export function percentDecode(s: string): string {
  if (s.indexOf("%") < 0) return s;
  const bad = BAD_ESCAPE.exec(s);
  if (bad !== null) throw new FormError(`invalid URL escape ${JSON.stringify(s.slice(bad.index, bad.index + 3))}`);
  return s.replace(ESCAPE_RUN, (run) => decoder.decode(Uint8Array.from(run.slice(1).split("%"), (hex) => parseInt(hex, 16))));
}

/** Go's url.QueryUnescape: PathUnescape where `+` is also a space. */
function unescape(s: string): string {
  return percentDecode(s.indexOf("+") < 0 ? s : s.replaceAll("+", " "));
}

/** Adds `a=b&c=d` pairs not already present. Like Go, a bad pair is reported but the rest still parse. */
export function addPairs(into: Map<string, string>, text: string): FormError | null {
  let firstError: FormError | null = null;
  for (const pair of text.split("&")) {
    if (pair === "") continue;
    if (pair.includes(";")) {
      firstError ??= new FormError("invalid semicolon separator in query");
      continue;
    }
    const eq = pair.indexOf("=");
    try {
      const name = unescape(eq < 0 ? pair : pair.slice(0, eq));
      const value = eq < 0 ? "" : unescape(pair.slice(eq + 1));
      if (!into.has(name)) into.set(name, value);
    } catch (e) {
      firstError ??= e as FormError;
    }
  }
  return firstError;
}

function isFormContentType(ct: string | null): boolean {
  if (ct === null) return false;
  const semi = ct.indexOf(";");
  return (semi < 0 ? ct : ct.slice(0, semi)).trim().toLowerCase() === "application/x-www-form-urlencoded";
}

/** The body as text, refusing (without buffering it) anything over MAX_FORM_BYTES. */
function readLimitedBody(request: Request): Promise<string> {
  const declared = request.headers.get("content-length");
  if (declared === null) return readStreamedBody(request);
  return Number(declared) > MAX_FORM_BYTES ? Promise.reject(new FormError("http: POST too large")) : request.text();
}

/** A body of unknown length (chunked), read until it passes MAX_FORM_BYTES. */
async function readStreamedBody(request: Request): Promise<string> {
  const body = request.body;
  if (body === null) return "";
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > MAX_FORM_BYTES) {
      await reader.cancel();
      throw new FormError("http: POST too large");
    }
    chunks.push(value);
  }
  return decoder.decode(Buffer.concat(chunks));
}

/** All parameters of a request. Throws FormError like ParseForm would fail. */
export async function readParams(request: Request, query: string): Promise<Map<string, string>> {
  const params = new Map<string, string>();
  let error: FormError | null = null;
  const m = request.method;
  if ((m === "PUT" || m === "POST") && isFormContentType(request.headers.get("content-type"))) {
    error = addPairs(params, await readLimitedBody(request));
  }
  if (query !== "") error ??= addPairs(params, query);
  if (error !== null) throw error;
  return params;
}
