import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { type Harness, harness } from "./helpers.ts";

let h: Harness;
beforeEach(async () => {
  h = await harness();
});
afterEach(() => h.stop());

async function open(path: string, headers: Record<string, string> = {}) {
  const res = await h.app.handle(new Request(`http://127.0.0.1:24379${path}`, { headers }));
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffered = "";
  return {
    res,
    /** Reads until `count` occurrences of `sep` have arrived, returns those pieces. */
    async take(count: number, sep: string): Promise<string[]> {
      while (buffered.split(sep).length - 1 < count) {
        const { done, value } = await reader.read();
        if (done) break;
        buffered += decoder.decode(value);
      }
      const parts = buffered.split(sep);
      const out = parts.slice(0, count);
      buffered = parts.slice(count).join(sep);
      return out;
    },
    async rest(): Promise<string> {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return buffered;
        buffered += decoder.decode(value);
      }
    },
    close: () => reader.cancel(),
  };
}

const put = (key: string, value: string) => h.call("PUT", `/v2/keys${key}`, { form: `value=${value}` });

describe("long poll (spec keys-api.md 9)", () => {
  test("headers carry the registration index; a quiet watch commits them with one newline, then one event line", async () => {
    const w = await open("/v2/keys/foo?wait=true");
    expect([w.res.status, w.res.headers.get("x-etcd-index"), w.res.headers.get("content-type")]).toEqual([200, "3", "application/json"]);
    expect(w.res.headers.get("x-raft-index")).not.toBeNull();
    await Bun.sleep(50);
    await put("/other", "x");
    await put("/foo", "bar");
    await put("/foo", "again");
    expect(await w.rest()).toBe('\n{"action":"set","node":{"key":"/foo","value":"bar","modifiedIndex":5,"createdIndex":5}}\n');
    expect(h.member.store.stats().watchers).toBe(0);
  });

  test("recursive watch sees children; waitIndex replays history at once", async () => {
    await put("/dir/a", "1");
    await put("/dir/b", "2");
    let r = await h.call("GET", "/v2/keys/dir?wait=true&recursive=true&waitIndex=5");
    expect([r.status, r.headers.get("x-etcd-index"), r.text]).toEqual([200, "5", '{"action":"set","node":{"key":"/dir/b","value":"2","modifiedIndex":5,"createdIndex":5}}\n']);
    r = await h.call("GET", "/v2/keys/dir/a?wait=true&waitIndex=1");
    expect(r.json().node.modifiedIndex).toBe(4);
  });

  test("an index that fell out of history is error 401 before any 200", async () => {
    for (let i = 0; i < 1005; i++) await put("/churn", String(i));
    const r = await h.call("GET", "/v2/keys/churn?wait=true&waitIndex=2");
    expect([r.status, r.text]).toEqual([400, '{"errorCode":401,"message":"The event in requested index is outdated and cleared","cause":"the requested history has been cleared [9/2]","index":1008}\n']);
  });

  test("a client that goes away unregisters its watcher", async () => {
    const w = await open("/v2/keys/gone?wait=true");
    expect(h.member.store.stats().watchers).toBe(1);
    await w.close();
    await Bun.sleep(1);
    expect(h.member.store.stats().watchers).toBe(0);
  });
});

describe("stream=true as JSON lines", () => {
  test("every matching event, one line each, the response stays open", async () => {
    const w = await open("/v2/keys/s?wait=true&stream=true&recursive=true");
    await Bun.sleep(50);
    await put("/s/a", "1");
    await put("/s/b", "2");
    const [flush, ...lines] = await w.take(3, "\n");
    expect(flush).toBe("");
    expect(lines.map((l) => JSON.parse(l).node.key)).toEqual(["/s/a", "/s/b"]);
    await w.close();
  });
});

describe("a watcher that falls behind", () => {
  test("is dropped by the store and its response ends instead of stalling writes", async () => {
    const w = await open("/v2/keys/o?wait=true&stream=true");
    for (let i = 0; i < 150; i++) await put("/o", String(i));
    const body = await w.rest();
    const events = body.split("\n").filter((l) => l !== "");
    expect(events.length).toBeGreaterThan(0);
    expect(events.length).toBeLessThan(150);
    expect(h.member.store.stats().watchers).toBe(0);
  });
});

describe("Server-Sent Events", () => {
  const SSE = { accept: "text/event-stream" };

  test("id is the modifiedIndex and data the event JSON", async () => {
    const w = await open("/v2/keys/e?wait=true&stream=true", SSE);
    expect(w.res.headers.get("content-type")).toBe("text/event-stream");
    await put("/e", "1");
    const [preamble, event] = await w.take(2, "\n\n");
    expect(preamble).toBe(": watching");
    expect(event).toBe('id: 4\ndata: {"action":"set","node":{"key":"/e","value":"1","modifiedIndex":4,"createdIndex":4}}');
    await w.close();
  });

  test("Last-Event-ID resumes right after it: no gap, no duplicate", async () => {
    for (const v of ["1", "2", "3"]) await put("/e", v); // indexes 4, 5, 6
    const w = await open("/v2/keys/e?wait=true&stream=true", { ...SSE, "last-event-id": "4" });
    await put("/e", "4");
    const events = (await w.take(4, "\n\n")).slice(1);
    expect(events.map((e) => e.split("\n")[0])).toEqual(["id: 5", "id: 6", "id: 7"]);
    await w.close();
  });

  test("an id that fell out of history is an error event, not a silent skip", async () => {
    for (let i = 0; i < 1005; i++) await put("/e", String(i));
    const w = await open("/v2/keys/e?wait=true&stream=true", { ...SSE, "last-event-id": "1" });
    expect(w.res.status).toBe(200);
    const body = await w.rest();
    expect(body).toBe(
      'event: error\ndata: {"errorCode":401,"message":"The event in requested index is outdated and cleared","cause":"the requested history has been cleared [9/2]","index":1008}\n\n',
    );
  });

  test("heartbeat comments keep an idle stream alive", async () => {
    await h.stop();
    h = await harness({ sseHeartbeatMs: 5 });
    const w = await open("/v2/keys/quiet?wait=true&stream=true", SSE);
    expect(await w.take(3, "\n\n")).toEqual([": watching", ": heartbeat", ": heartbeat"]);
    await w.close();
  });
});
