import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { type Harness, harness } from "./helpers.ts";

let h: Harness;
beforeEach(async () => {
  h = await harness();
});
afterEach(() => h.stop());

const err = (code: number, message: string, cause: string) => JSON.stringify({ errorCode: code, message, cause, index: 0 }) + "\n";

describe("where parameters come from (spec keys-api.md 2)", () => {
  test("the form body wins over the query; the first occurrence wins", async () => {
    let r = await h.call("PUT", "/v2/keys/p?value=fromquery", { form: "value=frombody&value=second" });
    expect(r.json().node.value).toBe("frombody");
    r = await h.call("PUT", "/v2/keys/p?value=q1&value=q2");
    expect(r.json().node.value).toBe("q1");
  });

  test("JSON bodies are not parsed; DELETE and GET bodies are ignored", async () => {
    let r = await h.call("PUT", "/v2/keys/j", { body: '{"value":"json"}', headers: { "content-type": "application/json" } });
    expect(r.json().node.value).toBe("");
    r = await h.call("DELETE", "/v2/keys/j", { form: "prevValue=nope" });
    expect(r.json().action).toBe("delete");
  });

  test("a content type with parameters and upper case still counts as a form", async () => {
    const r = await h.call("PUT", "/v2/keys/ct", { form: "value=v", headers: { "content-type": "Application/X-WWW-Form-Urlencoded; charset=utf-8" } });
    expect(r.json().node.value).toBe("v");
  });

  test("a body over 10 MiB is refused with 210, whether its length is declared or streamed", async () => {
    const big = "value=" + "x".repeat(10 << 20);
    const expected = err(210, "Invalid POST form", "http: POST too large");
    let r = await h.call("PUT", "/v2/keys/big", { form: big });
    expect([r.status, r.text]).toEqual([400, expected]);
    let sent = 0;
    const chunk = new TextEncoder().encode("x".repeat(1 << 20));
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        // Endless: only a reader that stops at the limit lets this request finish.
        sent += chunk.byteLength;
        c.enqueue(sent === chunk.byteLength ? new TextEncoder().encode("value=") : chunk);
      },
    });
    r = await h.call("PUT", "/v2/keys/big", { body: stream, headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect([r.status, r.text]).toEqual([400, expected]);
    expect(sent).toBeLessThan(16 << 20); // the stream is endless: finishing at all proves the reader stopped
    r = await h.call("PUT", "/v2/keys/big", { form: "value=" + "y".repeat(2_000_000) });
    expect(r.status).toBe(201);
  });

  test("escapes decode to bytes: UTF-8, plus signs, and non-UTF-8 shown as U+FFFD", async () => {
    const r = await h.call("PUT", "/v2/keys/esc", { form: "value=%E2%9C%93+a%2Bb%FF%F0%9F%98%80" });
    expect(r.json().node.value).toBe("✓ a+b\uFFFD😀");
  });

  test("malformed escapes are a 210 with Go's message", async () => {
    const r = await h.call("GET", "/v2/keys/x?recursive=%zz");
    expect([r.status, r.text]).toEqual([400, err(210, "Invalid POST form", 'invalid URL escape "%zz"')]);
  });
});

describe("Go ParseBool and ParseUint", () => {
  test.each(["1", "t", "T", "TRUE", "true", "True"])("%s is true", async (spelling) => {
    await h.call("PUT", "/v2/keys/d/a", { form: "value=1" });
    const r = await h.call("GET", `/v2/keys/d?recursive=${spelling}`);
    expect(r.json().node.nodes[0].key).toBe("/d/a");
  });

  test.each(["", "yes", "2", "tRUE"])("%j is error 209", async (spelling) => {
    const r = await h.call("GET", `/v2/keys/d?sorted=${spelling}`);
    expect([r.status, r.text]).toEqual([400, err(209, "Invalid field", 'invalid value for "sorted"')]);
  });

  test("a bare name counts as present and empty", async () => {
    const r = await h.call("GET", "/v2/keys/d?recursive");
    expect(r.text).toBe(err(209, "Invalid field", 'invalid value for "recursive"'));
  });

  test.each([
    ["prevIndex=-1", 203, "The given index in POST form is not a number", 'invalid value for "prevIndex"'],
    ["prevIndex=", 203, "The given index in POST form is not a number", 'invalid value for "prevIndex"'],
    ["waitIndex=abc", 203, "The given index in POST form is not a number", 'invalid value for "waitIndex"'],
    ["ttl=-5", 202, "The given TTL in POST form is not a number", 'invalid value for "ttl"'],
    ["ttl=1.5", 202, "The given TTL in POST form is not a number", 'invalid value for "ttl"'],
    ["prevValue=", 201, "PrevValue is Required in POST form", '"prevValue" cannot be empty'],
    ["prevExist=maybe", 209, "Invalid field", "invalid value for prevExist"],
    ["refresh=maybe", 209, "Invalid field", "invalid value for refresh"],
    ["noValueOnSuccess=x", 209, "Invalid field", 'invalid value for "noValueOnSuccess"'],
    ["wait=true", 209, "Invalid field", '"wait" can only be used with GET requests'],
    ["dir=x", 209, "Invalid field", 'invalid value for "dir"'],
    ["quorum=x", 209, "Invalid field", 'invalid value for "quorum"'],
    ["stream=x", 209, "Invalid field", 'invalid value for "stream"'],
  ])("PUT ?%s → %d", async (query, code, message, cause) => {
    const r = await h.call("PUT", `/v2/keys/v?${query}`, { form: "value=1" });
    expect([r.status, r.text]).toEqual([400, err(code as number, message as string, cause as string)]);
    expect(r.headers.get("x-etcd-index")).toBe("0");
  });
});

describe("validation order (spec 11.3): the first failure wins", () => {
  test.each([
    ["prevIndex=x&waitIndex=x&recursive=x", 203, 'invalid value for "prevIndex"'],
    ["waitIndex=x&recursive=x", 203, 'invalid value for "waitIndex"'],
    ["recursive=x&sorted=x", 209, 'invalid value for "recursive"'],
    ["stream=x&wait=true", 209, 'invalid value for "stream"'],
    ["wait=true&prevValue=", 209, '"wait" can only be used with GET requests'],
    ["prevValue=&noValueOnSuccess=x", 201, '"prevValue" cannot be empty'],
    ["noValueOnSuccess=x&ttl=x", 209, 'invalid value for "noValueOnSuccess"'],
    ["ttl=x&prevExist=x", 202, 'invalid value for "ttl"'],
    ["prevExist=x&refresh=true", 209, "invalid value for prevExist"],
    ["refresh=true&value=v", 211, "A value was provided on a refresh"],
  ])("%s", async (query, code, cause) => {
    const r = await h.call("PUT", `/v2/keys/o?${query}`);
    expect([r.json().errorCode, r.json().cause]).toEqual([code, cause]);
  });

  test("form errors come before everything", async () => {
    const r = await h.call("PUT", "/v2/keys/o?prevIndex=x&a=%g");
    expect(r.json().errorCode).toBe(210);
  });
});

describe("quorum reads", () => {
  test("go through the member's read barrier, then read locally", async () => {
    let barriers = 0;
    const original = h.member.readBarrier.bind(h.member);
    h.member.readBarrier = () => {
      barriers++;
      return original();
    };
    await h.call("PUT", "/v2/keys/q", { form: "value=1" });
    const r = await h.call("GET", "/v2/keys/q?quorum=true");
    expect([r.status, r.json().node.value, barriers]).toEqual([200, "1", 1]);
    await h.call("GET", "/v2/keys/q");
    expect(barriers).toBe(1);
  });

  test("a failing barrier is a 300 like a timed-out write", async () => {
    // A stopped member fails its barrier at once, as etcd does with ErrStopped.
    await h.member.stop();
    const r = await h.call("GET", "/v2/keys/q?quorum=true");
    expect([r.status, r.text]).toEqual([500, '{"errorCode":300,"message":"Raft Internal Error","cause":"etcdserver: server stopped","index":0}\n']);
  });
});
