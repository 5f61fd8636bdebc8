// The one-client load generator against an in-process server that counts what it is sent.
import { afterAll, expect, test } from "bun:test";
import { measureOneClient, oneClientPath, parseOneClient } from "./one-client.ts";

// Skips only where no C compiler exists to build the client (the bench then refuses --one-client direct).
const noCompiler = Bun.which("cc") === null && Bun.which("gcc") === null;

const seen: { method: string; path: string; search: string; body: string }[] = [];
const server = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  async fetch(req) {
    const url = new URL(req.url);
    seen.push({ method: req.method, path: url.pathname, search: url.search, body: await req.text() });
    if (url.search !== "" && url.pathname.endsWith("/k0")) return new Response('{"errorCode":100}', { status: 404 });
    if (req.method === "GET" && url.search === "") {
      // A streamed body goes out chunked: the client must find its end too.
      return new Response(
        new ReadableStream({
          pull(c) {
            c.enqueue(new TextEncoder().encode('{"action":"get",'));
            c.enqueue(new TextEncoder().encode('"node":{}}'));
            c.close();
          },
        }),
      );
    }
    return Response.json({ action: "set" });
  },
});
afterAll(() => server.stop(true));
const url = `http://127.0.0.1:${server.port}`;

test.skipIf(noCompiler)("PUTs walk the keys with the benchmark's body, and every answered request in the window is counted", async () => {
  seen.length = 0;
  const r = await measureOneClient(url, "put", { warmupMs: 100, durationMs: 600, keys: 1000, valueBytes: 64 });
  expect(r.errors).toBe(0);
  expect(r.requests).toBeGreaterThan(50);
  // Warm-up requests reach the server but are not counted; nothing counted was not sent.
  expect(seen.length).toBeGreaterThan(r.requests);
  expect(seen.every((s) => s.method === "PUT" && s.body === `value=${"v".repeat(64)}`)).toBe(true);
  expect(seen.slice(0, 3).map((s) => s.path)).toEqual(["/v2/keys/bench/k729", "/v2/keys/bench/k458", "/v2/keys/bench/k187"]);
  // One connection, one request at a time: the latencies cannot add up to more than the window.
  expect(r.latencySumMs).toBeGreaterThan(0);
  expect(r.latencySumMs).toBeLessThanOrEqual(r.windowMs);
  expect(r.p50Ms).toBeLessThanOrEqual(r.p99Ms);
  expect(r.requestsPerSec).toBeCloseTo(r.requests / 0.6, 5);
});

test.skipIf(noCompiler)("quorum GETs carry the query; chunked answers are read to their end; 4xx answers are errors", async () => {
  seen.length = 0;
  const q = await measureOneClient(url, "qget", { warmupMs: 0, durationMs: 200, keys: 7, valueBytes: 0 });
  expect(seen.every((s) => s.method === "GET" && s.search === "?quorum=true")).toBe(true);
  // k0 answers 404: one key in seven.
  expect(q.errors).toBeGreaterThan(0);
  expect(q.requests).toBeGreaterThan(q.errors);
  const chunked = await measureOneClient(url, "get", { warmupMs: 0, durationMs: 200, keys: 1000, valueBytes: 0 });
  expect(chunked.requests).toBeGreaterThan(10);
  expect(chunked.errors).toBe(0);
});

test.skipIf(noCompiler)("a server that goes away fails the measurement instead of reporting a short one", async () => {
  const gone = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("x") });
  const port = gone.port;
  gone.stop(true);
  await expect(measureOneClient(`http://127.0.0.1:${port}`, "get", { warmupMs: 0, durationMs: 100, keys: 1, valueBytes: 0 })).rejects.toThrow(
    /cannot connect/,
  );
  expect(oneClientPath()).not.toBeNull();
});

test("the printed quantiles become the row's rate, p50 and p99", () => {
  const lines = ["requests 2000", "errors 3", "window_us 500000", "latency_sum_us 400000", ...Array.from({ length: 1000 }, (_, i) => `Q ${i + 1} ${(i + 1) * 10}`)];
  const r = parseOneClient(lines.join("\n") + "\n");
  expect(r.requestsPerSec).toBe(4000);
  expect(r.errors).toBe(3);
  expect(r.latencySumMs).toBe(400);
  expect(r.p50Ms).toBe(5);
  expect(r.p99Ms).toBe(9.9);
  expect(() => parseOneClient("garbage")).toThrow(/requests/);
});
