import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { etcdHeaders, type Harness, harness } from "./helpers.ts";

let h: Harness;
beforeEach(async () => {
  h = await harness();
});
afterEach(() => h.stop());

describe("actions, statuses and headers (spec keys-api.md 6-7)", () => {
  test("a fresh member has index 3 and an empty root like etcd", async () => {
    const r = await h.call("GET", "/v2/keys/");
    expect(r.status).toBe(200);
    expect(r.text).toBe('{"action":"get","node":{"dir":true}}\n');
    expect(etcdHeaders(r)).toEqual({
      "content-type": "application/json",
      "x-etcd-cluster-id": h.member.clusterId,
      "x-etcd-index": "3",
      "x-raft-index": "4",
      // A fresh etcd 3.4 answers term 2: its bootstrap entries are term 1, its first election term 2.
      "x-raft-term": "2",
    });
  });

  test("answers between two writes carry the same indexes; a write changes them for the next, a changed answer changes nothing", async () => {
    await h.call("PUT", "/v2/keys/a", { form: "value=1" });
    const first = etcdHeaders(await h.call("GET", "/v2/keys/a"));
    const again = await h.call("GET", "/v2/keys/a");
    expect(etcdHeaders(again)).toEqual(first);
    // etcd 3.4's default CORS origin is "*": every answer carries it.
    expect(again.headers.get("access-control-allow-origin")).toBe("*");
    again.headers.set("x-etcd-index", "999");
    again.headers.delete("access-control-allow-origin");
    expect(etcdHeaders(await h.call("GET", "/v2/keys/a"))).toEqual(first);
    expect((await h.call("GET", "/v2/keys/a")).headers.get("access-control-allow-origin")).toBe("*");
    await h.call("PUT", "/v2/keys/b", { form: "value=2" });
    const after = etcdHeaders(await h.call("GET", "/v2/keys/a"));
    expect(Number(after["x-etcd-index"])).toBe(Number(first["x-etcd-index"]) + 1);
    expect(Number(after["x-raft-index"])).toBe(Number(first["x-raft-index"]) + 1);
    expect(etcdHeaders(await h.call("GET", "/v2/keys/a"))).toEqual(after);
  });

  test("set new → 201, set over → 200 with prevNode and reset createdIndex, get, delete", async () => {
    let r = await h.call("PUT", "/v2/keys/message", { form: "value=Hello+world" });
    expect([r.status, r.text]).toEqual([201, '{"action":"set","node":{"key":"/message","value":"Hello world","modifiedIndex":4,"createdIndex":4}}\n']);
    expect(r.headers.get("x-etcd-index")).toBe("4");
    r = await h.call("PUT", "/v2/keys/message", { form: "value=Hello etcd" });
    expect([r.status, r.text]).toEqual([
      200,
      '{"action":"set","node":{"key":"/message","value":"Hello etcd","modifiedIndex":5,"createdIndex":5},"prevNode":{"key":"/message","value":"Hello world","modifiedIndex":4,"createdIndex":4}}\n',
    ]);
    r = await h.call("GET", "/v2/keys/message");
    expect(r.text).toBe('{"action":"get","node":{"key":"/message","value":"Hello etcd","modifiedIndex":5,"createdIndex":5}}\n');
    r = await h.call("DELETE", "/v2/keys/message");
    expect([r.status, r.text]).toEqual([
      200,
      '{"action":"delete","node":{"key":"/message","modifiedIndex":6,"createdIndex":5},"prevNode":{"key":"/message","value":"Hello etcd","modifiedIndex":5,"createdIndex":5}}\n',
    ]);
  });

  test("create, update, compareAndSwap, compareAndDelete", async () => {
    let r = await h.call("PUT", "/v2/keys/k?prevExist=false", { form: "value=one" });
    expect([r.status, r.json().action]).toEqual([201, "create"]);
    r = await h.call("PUT", "/v2/keys/k?prevExist=false", { form: "value=one" });
    expect([r.status, r.text]).toEqual([412, '{"errorCode":105,"message":"Key already exists","cause":"/k","index":4}\n']);
    r = await h.call("PUT", "/v2/keys/k?prevExist=true", { form: "value=two" });
    expect([r.status, r.json().action, r.json().node.createdIndex]).toEqual([200, "update", 4]);
    r = await h.call("PUT", "/v2/keys/k?prevValue=nope", { form: "value=three" });
    expect([r.status, r.text]).toEqual([412, '{"errorCode":101,"message":"Compare failed","cause":"[nope != two]","index":5}\n']);
    expect(r.headers.get("x-raft-index")).toBeNull();
    r = await h.call("PUT", "/v2/keys/k?prevValue=two&prevIndex=5", { form: "value=three" });
    expect([r.status, r.json().action]).toEqual([200, "compareAndSwap"]);
    r = await h.call("DELETE", "/v2/keys/k?prevIndex=1");
    expect(r.text).toBe('{"errorCode":101,"message":"Compare failed","cause":"[1 != 6]","index":6}\n');
    r = await h.call("DELETE", "/v2/keys/k?prevValue=three");
    expect([r.status, r.json().action]).toEqual([200, "compareAndDelete"]);
    r = await h.call("PUT", "/v2/keys/missing?prevExist=true", { form: "value=x" });
    expect([r.status, r.text]).toEqual([404, '{"errorCode":100,"message":"Key not found","cause":"/missing","index":7}\n']);
  });

  test("directories, in-order keys, root read-only, errors keep user paths", async () => {
    let r = await h.call("PUT", "/v2/keys/dir?dir=true", { form: "value=ignored" });
    expect([r.status, r.text]).toEqual([201, '{"action":"set","node":{"key":"/dir","dir":true,"modifiedIndex":4,"createdIndex":4}}\n']);
    r = await h.call("PUT", "/v2/keys/dir", { form: "value=x" });
    expect([r.status, r.text]).toEqual([403, '{"errorCode":102,"message":"Not a file","cause":"/dir","index":4}\n']);
    r = await h.call("POST", "/v2/keys/queue", { form: "value=job" });
    expect([r.status, r.text]).toEqual([201, '{"action":"create","node":{"key":"/queue/00000000000000000005","value":"job","modifiedIndex":5,"createdIndex":5}}\n']);
    r = await h.call("PUT", "/v2/keys/queue/00000000000000000005/x", { form: "value=x" });
    expect([r.status, r.json().errorCode, r.json().cause]).toEqual([400, 104, "/queue/00000000000000000005"]);
    for (const [m, p] of [["PUT", "/v2/keys/"], ["DELETE", "/v2/keys/?recursive=true"], ["PUT", "/v2/keys"]]) {
      r = await h.call(m!, p!, { form: "value=x" });
      expect([r.status, r.text]).toEqual([400, '{"errorCode":107,"message":"Root is read only","cause":"/","index":5}\n']);
    }
    r = await h.call("GET", "/v2/keys/nope/deeper/x");
    expect([r.status, r.text]).toEqual([404, '{"errorCode":100,"message":"Key not found","cause":"/nope","index":5}\n']);
    r = await h.call("GET", "/v2/keys/?recursive=true&sorted=true");
    expect(r.text).toBe(
      '{"action":"get","node":{"dir":true,"nodes":[{"key":"/dir","dir":true,"modifiedIndex":4,"createdIndex":4},{"key":"/queue","dir":true,"nodes":[{"key":"/queue/00000000000000000005","value":"job","modifiedIndex":5,"createdIndex":5}],"modifiedIndex":5,"createdIndex":5}]}}\n',
    );
    r = await h.call("POST", "/v2/keys/", { form: "value=top" });
    expect([r.status, r.json().node.key]).toEqual([201, "/00000000000000000006"]);
  });

  test("noValueOnSuccess returns only the action for writes, not for deletes", async () => {
    let r = await h.call("PUT", "/v2/keys/n?noValueOnSuccess=true", { form: "value=1" });
    expect([r.status, r.text]).toEqual([201, '{"action":"set"}\n']);
    r = await h.call("DELETE", "/v2/keys/n?noValueOnSuccess=true");
    expect(r.json().node.key).toBe("/n");
  });

  test("HEAD has GET's status and headers and no body", async () => {
    await h.call("PUT", "/v2/keys/hd", { form: "value=1" });
    const get = await h.call("GET", "/v2/keys/hd");
    const head = await h.call("HEAD", "/v2/keys/hd");
    expect(head.status).toBe(200);
    expect(head.text).toBe("");
    expect(etcdHeaders(head)).toEqual(etcdHeaders(get));
    expect(head.headers.get("content-length")).toBe(String(get.text.length));
  });

  test("user keys that look like the namespace keep their name", async () => {
    await h.call("PUT", "/v2/keys/1", { form: "value=one" });
    await h.call("PUT", "/v2/keys/1/x", { form: "value=x" }).then((r) => expect(r.json().errorCode).toBe(104));
    const r = await h.call("GET", "/v2/keys/?recursive=true");
    expect(r.text).toBe('{"action":"get","node":{"dir":true,"nodes":[{"key":"/1","value":"one","modifiedIndex":4,"createdIndex":4}]}}\n');
    expect((await h.call("DELETE", "/v2/keys/1")).json().prevNode.key).toBe("/1");
  });

  test("JSON is escaped like Go's encoder", async () => {
    const r = await h.call("PUT", "/v2/keys/html", { form: "value=%3Ca%3E%26b%E2%80%A8" });
    expect(r.text).toBe('{"action":"set","node":{"key":"/html","value":"\\u003ca\\u003e\\u0026b\\u2028","modifiedIndex":4,"createdIndex":4}}\n');
  });

  test("percent-escaped keys are decoded", async () => {
    const r = await h.call("PUT", "/v2/keys/sp%20ace/%E2%9C%93", { form: "value=1" });
    expect(r.json().node.key).toBe("/sp ace/✓");
  });
});

describe("TTL", () => {
  test("ttl sets an absolute expiration from the proposing clock; ttl= makes a key permanent", async () => {
    let r = await h.call("PUT", "/v2/keys/t?ttl=5", { form: "value=a" });
    expect(r.json().node).toEqual({ key: "/t", value: "a", expiration: "2026-11-25T12:00:05Z", ttl: 5, modifiedIndex: 4, createdIndex: 4 });
    h.clock.advanceUs(1_500_000);
    r = await h.call("GET", "/v2/keys/t");
    expect(r.json().node.ttl).toBe(4);
    r = await h.call("PUT", "/v2/keys/t?prevExist=true&ttl=", { form: "value=a" });
    expect(r.json().node).toEqual({ key: "/t", value: "a", modifiedIndex: 5, createdIndex: 4 });
  });

  test("ttl=0 expires at once; a TTL too large to represent makes the key permanent", async () => {
    let r = await h.call("PUT", "/v2/keys/z?ttl=0", { form: "value=a" });
    expect(r.json().node).toEqual({ key: "/z", value: "a", expiration: "2026-11-25T12:00:00Z", modifiedIndex: 4, createdIndex: 4 });
    r = await h.call("PUT", "/v2/keys/huge?ttl=99999999999", { form: "value=a" });
    expect(r.json().node).toEqual({ key: "/huge", value: "a", modifiedIndex: 5, createdIndex: 5 });
  });

  test("refresh keeps the value and needs a ttl and no value", async () => {
    await h.call("PUT", "/v2/keys/r?ttl=5", { form: "value=keep" });
    let r = await h.call("PUT", "/v2/keys/r?refresh=true&ttl=10&prevExist=true");
    expect([r.json().action, r.json().node.value, r.json().node.ttl]).toEqual(["update", "keep", 10]);
    r = await h.call("PUT", "/v2/keys/r?refresh=true&ttl=10", { form: "value=x" });
    expect(r.text).toBe('{"errorCode":211,"message":"Value provided on refresh","cause":"A value was provided on a refresh","index":0}\n');
    r = await h.call("PUT", "/v2/keys/r?refresh=true");
    expect(r.text).toBe('{"errorCode":212,"message":"A TTL must be provided on refresh","cause":"No TTL value set","index":0}\n');
  });

  test("the leader's SYNC entries expire keys and a watcher sees the expire event", async () => {
    await h.call("PUT", "/v2/keys/tk?ttl=1", { form: "value=a" });
    const watch = h.call("GET", "/v2/keys/tk?wait=true");
    h.clock.advanceUs(1_000_000);
    const r = await watch;
    expect(r.json()).toEqual({
      action: "expire",
      node: { key: "/tk", modifiedIndex: 5, createdIndex: 4 },
      prevNode: { key: "/tk", value: "a", expiration: "2026-11-25T12:00:01Z", modifiedIndex: 4, createdIndex: 4 },
    });
    expect((await h.call("GET", "/v2/keys/tk")).status).toBe(404);
  });
});
