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

export function goJSON(value: unknown): string {
  return JSON.stringify(value).replace(GO_ESCAPED, (c) => GO_ESCAPES[c]!);
}
