// JSON text as Go's encoding/json writes it: like JSON.stringify, except that <, >, & and the
// line/paragraph separators are \u-escaped (Go's HTML-safe default), so bodies match etcd's bytes.

const GO_ESCAPED = /[<>&\u2028\u2029]/g;
const GO_ESCAPES: Record<string, string> = {
  "<": "\\u003c",
  ">": "\\u003e",
  "&": "\\u0026",
  "\u2028": "\\u2028",
  "\u2029": "\\u2029",
};

const GO_ESCAPED_ANY = /[<>&\u2028\u2029]/;

export function goJSON(value: unknown): string {
  return goEscape(JSON.stringify(value));
}

/** JSON text (whole, or cut between tokens) with Go's HTML-safe escapes applied. */
export function goEscape(text: string): string {
  // Most bodies hold none of these: a test is cheaper than a replace that finds nothing.
  return GO_ESCAPED_ANY.test(text) ? text.replace(GO_ESCAPED, (c) => GO_ESCAPES[c]!) : text;
}
