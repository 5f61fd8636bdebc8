import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { muxCleanPath, needsCleaning } from "../../server/api/paths.ts";
import { withRoutableURL } from "../../server/api/serve.ts";
import { HEALTH_INTERVAL_MS } from "../../server/member/reconfig-check.ts";
import { freePeerURL, startTestMember } from "../support/member.ts";
import { whileRefused } from "../support/reconfig.ts";
import { CLIENT_URL, type Harness, harness } from "./helpers.ts";

let h: Harness;
beforeEach(async () => {
  h = await harness();
});
afterEach(() => h.stop());

const CORS = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "POST, GET, OPTIONS, PUT, DELETE",
  "access-control-allow-headers": "accept, content-type, authorization",
};

describe("paths, methods and CORS like etcd 3.4's handler chain", () => {
  test.each([
    ["/v2/keys//foo?x=1", "/v2/keys/foo?x=1"],
    ["/v2//keys/a/", "/v2/keys/a/"],
  ])("%s → 301 %s", async (path, location) => {
    const r = await h.call("GET", path);
    expect([r.status, r.headers.get("location"), r.text]).toEqual([301, location, `<a href="${location}">Moved Permanently</a>.\n\n`]);
    expect(r.headers.get("content-type")).toBe("text/html; charset=utf-8");
  });

  test("dot segments (which Request objects already resolve) are cleaned like Go's mux", () => {
    expect(["/v2/keys/a/./b", "/v2/keys/a/../b", "/v2/keys/a/..", "/v2/keys/a/"].map((p) => [needsCleaning(p), muxCleanPath(p)])).toEqual([
      [true, "/v2/keys/a/b"],
      [true, "/v2/keys/b"],
      [true, "/v2/keys"],
      [false, "/v2/keys/a/"],
    ]);
  });

  test("a path with a malformed escape is Go's bare 400; other escapes are bytes", async () => {
    let r = await h.call("GET", "/v2/keys/a%zz");
    expect([r.status, r.text, r.headers.get("access-control-allow-origin")]).toEqual([400, "400 Bad Request", null]);
    r = await h.call("GET", "/v2/keys/a+b%2Fc%FF");
    expect(r.json().cause).toBe("/a+b");
    r = await h.call("GET", "/v2/keys/%FF");
    expect(r.text).toBe('{"errorCode":100,"message":"Key not found","cause":"/\uFFFD","index":3}\n');
  });

  test("405 with Allow and no cluster ID; 404 text for unknown paths", async () => {
    let r = await h.call("PATCH", "/v2/keys/x");
    expect([r.status, r.text, r.headers.get("allow"), r.headers.get("x-etcd-cluster-id")]).toEqual([405, "Method Not Allowed\n", "HEAD,GET,PUT,POST,DELETE", null]);
    r = await h.call("GET", "/nope");
    expect([r.status, r.text, r.headers.get("content-type")]).toEqual([404, "404 page not found\n", "text/plain; charset=utf-8"]);
    r = await h.call("GET", "/v2/keysfoo");
    expect(r.status).toBe(404);
    for (const p of ["/version/", "/health/", "/v2/machines/", "/v2/stats/self/", "/metrics/"]) expect((await h.call("GET", p)).status).toBe(404);
    for (const p of ["/v2/keys", "/v2/keys/", "/v2/members", "/v2/members/"]) expect((await h.call("GET", p)).status).toBe(200);
    r = await h.call("POST", "/v2/stats/self");
    expect([r.status, r.headers.get("allow")]).toEqual([405, "GET"]);
  });

  test("CORS headers on every answer and OPTIONS answered 200 by default", async () => {
    for (const [m, p] of [["GET", "/v2/keys/"], ["PUT", "/v2/keys/c?value=1"], ["HEAD", "/v2/keys/c"], ["GET", "/v2/keys/missing"], ["PATCH", "/v2/keys/x"], ["GET", "/nope"], ["GET", "/version"], ["OPTIONS", "/v2/keys/foo"]]) {
      const r = await h.call(m!, p!);
      for (const [k, v] of Object.entries(CORS)) expect(r.headers.get(k)).toBe(v);
    }
    expect((await h.call("OPTIONS", "/v2/keys/foo")).status).toBe(200);
  });

  test("a CORS origin list echoes only allowed origins; an empty list turns CORS off", async () => {
    await h.stop();
    h = await harness({ corsOrigins: ["http://ok.example"] });
    let r = await h.call("GET", "/v2/keys/", { headers: { origin: "http://ok.example" } });
    expect(r.headers.get("access-control-allow-origin")).toBe("http://ok.example");
    r = await h.call("GET", "/v2/keys/", { headers: { origin: "http://evil.example" } });
    expect(r.headers.get("access-control-allow-origin")).toBeNull();
    r = await h.call("GET", "/v2/keys/", { headers: { origin: "http://ok.example" } });
    expect(r.headers.get("access-control-allow-origin")).toBe("http://ok.example");
    await h.stop();
    h = await harness({ corsOrigins: [] });
    r = await h.call("OPTIONS", "/v2/keys/");
    expect([r.status, r.headers.get("access-control-allow-origin")]).toEqual([405, null]);
  });

  test("a Host shorter than Elysia expects still routes by path", async () => {
    const r = await h.app.handle(withRoutableURL(new Request("http://x/v2/keys/", { headers: { host: "x" } })));
    expect([r.status, await r.text()]).toEqual([200, '{"action":"get","node":{"dir":true}}\n']);
  });

  test("/ redirects browsers to the dashboard", async () => {
    const r = await h.call("GET", "/", { headers: { accept: "text/html,application/xhtml+xml" } });
    expect([r.status, r.headers.get("location")]).toEqual([302, "/dashboard"]);
    expect((await h.call("GET", "/")).status).toBe(404);
  });
});

describe("members API (spec cluster-api.md 3)", () => {
  const self = () => ({ id: h.member.id, name: "n1", peerURLs: [h.peerURL], clientURLs: [CLIENT_URL] });
  const json = (body: unknown) => ({ body: JSON.stringify(body), headers: { "content-type": "application/json" } });

  test("list and leader, with the cluster ID header and a trailing newline", async () => {
    let r = await h.call("GET", "/v2/members");
    expect([r.status, r.text, r.headers.get("x-etcd-cluster-id")]).toEqual([200, JSON.stringify({ members: [self()] }) + "\n", h.member.clusterId]);
    expect((await h.call("GET", "/v2/members/")).text).toBe(r.text);
    r = await h.call("GET", "/v2/members/leader");
    expect(r.text).toBe(JSON.stringify(self()) + "\n");
    r = await h.call("GET", "/v2/members/xyz");
    expect([r.status, r.text]).toEqual([404, '{"message":"Not found"}']);
  });

  test("add, conflicts, update and remove with etcd's codes", async () => {
    let r = await h.call("POST", "/v2/members", { form: "peerURLs=x" });
    expect([r.status, r.text]).toEqual([415, '{"message":"Bad Content-Type application/x-www-form-urlencoded, accept application/json"}']);
    r = await h.call("POST", "/v2/members", { body: "{bad", headers: { "content-type": "application/json" } });
    expect(r.status).toBe(400);
    r = await h.call("POST", "/v2/members", json({ peerURLs: ["notaurl"] }));
    expect([r.status, r.text]).toEqual([400, '{"message":"URL scheme must be http, https, unix, or unixs: notaurl"}']);
    r = await h.call("POST", "/v2/members", json({}));
    expect([r.status, r.text]).toEqual([400, '{"message":"no valid URLs given"}']);
    r = await h.call("POST", "/v2/members", json({ peerURLs: [h.peerURL] }));
    expect([r.status, r.text]).toEqual([409, '{"message":"membership: peerURL exists"}']);
    // Two voters need both for a quorum, so the added member really starts (listening on the URL
    // it is later moved to as well) before the update and removal can commit.
    const [addedURL, movedURL] = [await freePeerURL(), await freePeerURL()];
    r = await h.call("POST", "/v2/members", { ...json({ peerURLs: [addedURL] }), headers: { "content-type": "application/JSON; charset=utf-8" } });
    expect(r.status).toBe(201);
    const added = r.json();
    expect(added).toEqual({ id: added.id, name: "", peerURLs: [addedURL], clientURLs: [] });
    expect((await h.call("GET", "/v2/members")).json().members).toContainEqual(added);
    const second = await startTestMember({
      name: "n2",
      peerURL: addedURL,
      extraPeerURLs: [movedURL],
      join: { initialCluster: () => `n1=${h.peerURL},n2=${addedURL}` },
    });
    try {
      expect(second.member.id).toBe(added.id);
      r = await h.call("PUT", `/v2/members/${added.id}`, json({ peerURLs: [h.peerURL] }));
      expect([r.status, r.text]).toEqual([409, '{"message":"membership: peerURL exists"}']);
      r = await h.call("PUT", `/v2/members/${added.id}`, json({ peerURLs: [movedURL] }));
      expect([r.status, r.text]).toEqual([204, ""]);
      expect((await h.call("GET", "/v2/members")).json().members.find((m: { id: string }) => m.id === added.id).peerURLs).toEqual([movedURL]);
      r = await h.call("PUT", "/v2/members/zzz", json({ peerURLs: ["http://127.0.0.1:22391"] }));
      expect([r.status, r.text]).toEqual([404, '{"message":"No such member: zzz"}']);
      r = await h.call("PUT", "/v2/members", json({ peerURLs: [] }));
      expect([r.status, r.text, r.headers.get("allow"), r.headers.get("x-etcd-cluster-id")]).toEqual([405, "Method Not Allowed\n", null, h.member.clusterId]);

      // The strict reconfig check (on by default) keeps the quorum connected: n1's stream to n2,
      // reopened by the update, must have been up for 5 s. Let the member's clock run instead of waiting.
      r = await whileRefused(() => h.call("DELETE", `/v2/members/${added.id}`), { onRefused: () => h.clock.advanceUs(HEALTH_INTERVAL_MS * 1000) });
      expect(r.status).toBe(204);
      // As etcd: 410 at once, while the removed member may still be running (a cluster shrunk to
      // one member drops its last peer stream, so the strict check has nothing to refuse).
      r = await h.call("DELETE", `/v2/members/${added.id}`);
      expect([r.status, r.text]).toEqual([410, `{"message":"Member permanently removed: ${added.id}"}`]);
      r = await h.call("DELETE", "/v2/members/deadbeef");
      expect([r.status, r.text]).toEqual([404, '{"message":"No such member: deadbeef"}']);
    } finally {
      await second.stop();
    }
  });
});

describe("stats, machines, version, health, metrics (spec cluster-api.md 4-6)", () => {
  test("stats have no trailing newline and no cluster ID", async () => {
    // Stats run on the member's wall clock (not the steerable TTL clock), as in etcd.
    const before = Date.now();
    let r = await h.call("GET", "/v2/stats/self");
    const { startTime, leaderInfo } = r.json();
    expect(r.text).toBe(
      `{"name":"n1","id":"${h.member.id}","state":"StateLeader","startTime":"${startTime}","leaderInfo":{"leader":"${h.member.id}","uptime":"${leaderInfo.uptime}","startTime":"${leaderInfo.startTime}"},"recvAppendRequestCnt":0,"sendAppendRequestCnt":0}`,
    );
    const rfc3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;
    expect([startTime, leaderInfo.startTime].map((t: string) => rfc3339.test(t))).toEqual([true, true]);
    expect(Date.parse(startTime)).toBeLessThanOrEqual(Date.parse(leaderInfo.startTime));
    expect(Date.parse(leaderInfo.startTime)).toBeLessThanOrEqual(before);
    expect(leaderInfo.uptime).toMatch(/^(\d+h)?(\d+m)?\d+(\.\d+)?(ns|µs|ms|s)$/);
    expect(r.headers.get("x-etcd-cluster-id")).toBeNull();
    r = await h.call("GET", "/v2/stats/leader");
    expect(r.text).toBe(`{"leader":"${h.member.id}","followers":{}}`);
    r = await h.call("GET", "/v2/stats/store");
    expect(Object.keys(r.json())).toEqual([
      "getsSuccess", "getsFail", "setsSuccess", "setsFail", "deleteSuccess", "deleteFail", "updateSuccess", "updateFail",
      "createSuccess", "createFail", "compareAndSwapSuccess", "compareAndSwapFail", "compareAndDeleteSuccess", "compareAndDeleteFail",
      "expireCount", "watchers",
    ]);
  });

  test("leader stats on a non-leader are 403", async () => {
    // A voter that never starts leaves the single member without a quorum, and check-quorum
    // makes the leader step down.
    await h.member.addMember([await freePeerURL()]);
    for (let i = 0; i < 250 && h.member.leaderStats() !== null; i++) await Bun.sleep(20);
    const r = await h.call("GET", "/v2/stats/leader");
    expect([r.status, r.text]).toEqual([403, '{"message":"not current leader"}']);
  });

  test("machines, version, health, metrics", async () => {
    let r = await h.call("GET", "/v2/machines");
    expect([r.text, r.headers.get("content-type")]).toEqual(["http://127.0.0.1:24379", "text/plain; charset=utf-8"]);
    r = await h.call("GET", "/version");
    expect(r.text).toBe('{"etcdserver":"3.4.23","etcdcluster":"3.4.0"}');
    r = await h.call("GET", "/health");
    expect([r.status, r.text]).toEqual([200, '{"health":"true"}']);
    r = await h.call("GET", "/metrics");
    expect(r.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    expect(r.text).toContain("etcd_server_has_leader 1\n");
    expect(r.text).toContain("etcd_server_is_leader 1\n");
    await h.member.stop();
    r = await h.call("GET", "/health");
    expect([r.status, r.text]).toEqual([503, '{"health":"false"}']);
  });
});
