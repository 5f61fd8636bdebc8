// Listings made a chunk at a time (server/api/listing.ts): joined, the chunks are eventJSON's
// text whatever the chunk size, and a long listing gives the event loop back between chunks.
import { expect, test } from "bun:test";
import { chunkedEventBody, eventBodyBytes, EventChunks } from "../../server/api/listing.ts";
import { eventJSON } from "../../server/api/paths.ts";
import { putRequest, Store } from "../../server/store/index.ts";
import type { EventJSON } from "../../server/store/types.ts";
import { harness } from "./helpers.ts";

function joined(e: EventJSON, chunkChars: number): string[] {
  const c = new EventChunks(e, chunkChars);
  const out: string[] = [];
  while (!c.done) out.push(c.next());
  expect(c.next()).toBe("");
  return out;
}

test("random stores: chunks of every size join to eventJSON's text", () => {
  let seed = 11;
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
  // Names and values that exercise Go's escapes, the namespace trimming and JSON quoting.
  const names = ["1", "10", "a", "key", "<b>", "&", "\u2028", '"q"', "_hidden", "z"];
  const values = ["", "v", '"key":"/1/x', "<&>", "\u2029", "\\", "1"];
  const T0 = Date.UTC(2026, 0, 1) * 1000;
  for (let round = 0; round < 40; round++) {
    const store = new Store({ namespaces: ["/0", "/1"] });
    for (let i = 0; i < 1 + rnd(40); i++) {
      const depth = 1 + rnd(3);
      const path = "/1/" + Array.from({ length: depth }, () => names[rnd(names.length)]!).join("/");
      const ttl = rnd(4) === 0 ? T0 + (1 + rnd(100)) * 1_000_000 : null;
      try {
        store.apply(putRequest(path, { value: values[rnd(values.length)]!, dir: rnd(5) === 0, expireAtUs: ttl, nowUs: T0 }));
      } catch {
        // A key in the way of a directory (or the reverse): etcd refuses it, and so do we.
      }
    }
    for (const path of ["/1", "/1/" + names[rnd(names.length)]!]) {
      for (const [recursive, sorted] of [[true, false], [true, true], [false, false]] as const) {
        let event: EventJSON;
        try {
          event = store.get(path, { recursive, sorted, nowUs: T0 }).event;
        } catch {
          continue;
        }
        const whole = eventJSON(event);
        for (const size of [1, 2, 7, 64, 4096]) expect(joined(event, size).join("")).toBe(whole);
      }
    }
  }
});

test("a key member and the comma after it stay in one chunk", () => {
  // The namespace dir's `"key":"/1",` is removed whole; cut after its value, it would stay.
  const store = new Store({ namespaces: ["/0", "/1"] });
  store.apply(putRequest("/1/d/k", { value: "v", nowUs: 0 }));
  const event = store.get("/1", { recursive: true, sorted: false, nowUs: 0 }).event;
  const chunks = joined(event, 1);
  expect(chunks.join("")).toBe(eventJSON(event));
  expect(chunks.join("")).not.toContain('"key":"/1"');
  expect(chunks.length).toBeGreaterThan(4);
});

test("a long listing is a stream whose chunks are made in separate turns", async () => {
  const store = new Store({ namespaces: ["/0", "/1"] });
  const value = "x".repeat(1000);
  for (let i = 0; i < 3000; i++) store.apply(putRequest(`/1/d${i % 10}/k${i}`, { value, nowUs: 0 }));
  const event = store.get("/1", { recursive: true, sorted: true, nowUs: 0 }).event;
  const body = chunkedEventBody(event);
  expect(body).toBeInstanceOf(ReadableStream);
  // A timer set before reading fires before the whole text is made.
  let timerFiredAt = -1;
  const parts: string[] = [];
  setTimeout(() => (timerFiredAt = parts.length), 0);
  const decoder = new TextDecoder();
  const reader = (body as ReadableStream<Uint8Array>).getReader();
  for (let r = await reader.read(); !r.done; r = await reader.read()) parts.push(decoder.decode(r.value, { stream: true }));
  expect(parts.join("")).toBe(eventJSON(event) + "\n");
  expect(parts.length).toBeGreaterThan(5);
  expect(timerFiredAt).toBeGreaterThan(0);
  expect(timerFiredAt).toBeLessThan(parts.length);
  // A short one is plain text, as before.
  const small = store.get("/1/d0/k0", { recursive: false, sorted: false, nowUs: 0 }).event;
  expect(chunkedEventBody(small)).toBe(eventJSON(small) + "\n");
});

test("HEAD's length of a long listing is counted over turns and matches the body's bytes", async () => {
  const store = new Store({ namespaces: ["/0", "/1"] });
  // Multi-byte characters: the count is of UTF-8 bytes, not of UTF-16 units.
  const value = "é€😀".repeat(400);
  for (let i = 0; i < 400; i++) store.apply(putRequest(`/1/u/k${i}`, { value, nowUs: 0 }));
  const event = store.get("/1", { recursive: true, sorted: false, nowUs: 0 }).event;
  expect(new EventChunks(event).next().length).toBeLessThan(eventJSON(event).length);
  expect(await eventBodyBytes(event)).toBe(Buffer.byteLength(eventJSON(event) + "\n"));
  const small = store.get("/1/u/k0", { recursive: false, sorted: false, nowUs: 0 }).event;
  expect(await eventBodyBytes(small)).toBe(Buffer.byteLength(eventJSON(small) + "\n"));
});

test("GET of a large directory over the API answers the same text, and HEAD its length", async () => {
  const h = await harness();
  try {
    const value = "y".repeat(2000);
    for (let i = 0; i < 300; i++) expect((await h.call("PUT", `/v2/keys/big/k${i}`, { form: `value=${value}` })).status).toBe(201);
    const r = await h.call("GET", "/v2/keys/big?recursive=true&sorted=true");
    expect(r.status).toBe(200);
    const expected = eventJSON(h.member.store.get("/1/big", { recursive: true, sorted: true, nowUs: h.clock.nowUs() }).event) + "\n";
    expect(r.text).toBe(expected);
    expect(r.headers.get("x-etcd-index")).toBe(String(h.member.store.index));
    const head = await h.app.handle(new Request("http://127.0.0.1:24379/v2/keys/big?recursive=true&sorted=true", { method: "HEAD" }));
    expect(head.headers.get("content-length")).toBe(String(Buffer.byteLength(expected)));
  } finally {
    await h.stop();
  }
});
