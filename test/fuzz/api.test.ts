// Random requests thrown at the client API of a real single member: it never crashes, every
// /v2/keys error is etcd's JSON error, and a rejected request changes nothing.
import { afterAll, beforeAll, expect, test } from "bun:test";
import fc from "fast-check";
import { harness, type Harness } from "../api/helpers.ts";

let h: Harness;
beforeAll(async () => {
  h = await harness({ sseHeartbeatMs: 50 });
  // Some structure to collide with: keys, dirs, hidden and TTL nodes.
  for (const [path, form] of [
    ["/v2/keys/a", "value=1"],
    ["/v2/keys/d/x", "value=2"],
    ["/v2/keys/d/_h", "value=3"],
    ["/v2/keys/e?dir=true", ""],
    ["/v2/keys/t?ttl=100", "value=4"],
  ] as const) {
    await h.call("PUT", path, { form });
  }
}, 30000);
afterAll(async () => h?.stop());

const methods = fc.constantFrom("GET", "HEAD", "PUT", "POST", "DELETE", "PATCH", "OPTIONS", "TRACE", "PROPFIND");
const segment = fc.oneof(
  fc.constantFrom("a", "d", "x", "_h", "e", "t", "..", ".", "", "%2F", "%E2%9C%93", "%zz", "%", "sp%20ace", "00000000000000000001"),
  fc.stringMatching(/^[a-z_%0-9.~-]{1,8}$/),
);
const path = fc.array(segment, { maxLength: 4 }).map((segs) => "/v2/keys/" + segs.join("/"));
const paramName = fc.constantFrom(
  "value", "ttl", "refresh", "dir", "prevValue", "prevIndex", "prevExist", "recursive", "sorted",
  "wait", "waitIndex", "quorum", "noValueOnSuccess", "stream", "unknown",
);
const paramValue = fc.oneof(
  fc.constantFrom("", "true", "false", "1", "0", "t", "F", "yes", "-1", "99999999999", "18446744073709551616", "1e3", "NaN", "5", "%", "%zz", "a&b", "2"),
  fc.string({ maxLength: 6 }),
);
const params = fc.array(fc.tuple(paramName, paramValue), { maxLength: 5 });
const encode = (ps: [string, string][]) => ps.map(([k, v]) => `${k}=${v.includes("%") ? v : encodeURIComponent(v)}`).join("&");
const body = fc.oneof(
  params.map((ps) => ({ text: encode(ps), type: "application/x-www-form-urlencoded" })),
  fc.constant({ text: '{"value":"json"}', type: "application/json" }),
  fc.string({ maxLength: 20 }).map((text) => ({ text, type: "application/x-www-form-urlencoded" })),
  fc.constant(undefined),
);

async function state(): Promise<string> {
  const r = await h.call("GET", "/v2/keys/?recursive=true&sorted=true");
  return `${r.headers.get("x-etcd-index")} ${r.text}`;
}

test("random requests: no crash, etcd-shaped errors, rejected requests change nothing", async () => {
  await fc.assert(
    fc.asyncProperty(methods, path, params, body, async (method, p, ps, b) => {
      // Watches that would wait forever are covered elsewhere; here a wait must return at once.
      const query = encode(ps.filter(([k, v]) => !(k === "wait" && method === "GET") || v === "yes"));
      const url = query ? `${p}?${query}` : p;
      const before = await state();
      const init = b && method !== "GET" && method !== "HEAD" ? { body: b.text, headers: { "content-type": b.type } } : {};
      const r = await h.call(method, url, init);
      expect(r.status).toBeGreaterThanOrEqual(200);
      expect(r.status).toBeLessThan(500);
      // Go's mux answers a malformed URL (bad %-escape) in plain text before etcd sees it, as do
      // the 404 and 405 pages; every other error is etcd's JSON.
      const plain = ["400 Bad Request", "404 page not found\n", "Method Not Allowed\n"];
      if (r.status >= 400 && !(plain.includes(r.text) && r.headers.get("content-type")?.startsWith("text/plain"))) {
        const err = r.json();
        expect(typeof err.errorCode).toBe("number");
        expect(typeof err.message).toBe("string");
        expect(typeof err.index).toBe("number");
        expect(r.text.endsWith("\n")).toBe(true);
        expect(await state()).toBe(before);
      }
      if (r.status >= 400) expect(await state()).toBe(before);
    }),
    { numRuns: 400, seed: Number(process.env.FUZZ_SEED ?? 20261125), verbose: 1 },
  );
  // Still serving after all that.
  expect((await h.call("GET", "/v2/keys/a")).status).toBe(200);
}, 120000);
