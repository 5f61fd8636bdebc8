import { describe, expect, test } from "bun:test";
import type { MemberJSON } from "../../shared/v2.ts";
import { membersFromPeerJSON, membersToPeerJSON } from "./members-json.ts";
import { createPeerRoutes } from "./routes.ts";

const members: MemberJSON[] = [
  { id: "e2f4d2d54735ed18", name: "a", peerURLs: ["http://127.0.0.1:22382"], clientURLs: ["http://127.0.0.1:22381"] },
  { id: "2c6d6407fbb7943f", name: "b", peerURLs: ["http://127.0.0.1:22384"], clientURLs: ["http://127.0.0.1:22383"] },
  { id: "2607b3655b6e226", name: "", peerURLs: ["http://127.0.0.1:22388"], clientURLs: [] },
];

function routes() {
  return createPeerRoutes({
    selfId: "e2f4d2d54735ed18",
    clusterId: "7f2ab2a4e6477ca4",
    isRemoved: (id) => id === "dead",
    onMessage: () => {},
    onSnapshot: async () => {},
    members: () => members,
    version: () => ({ etcdserver: "2.3.8", etcdcluster: "2.3.0" }),
    countReceived: () => {},
    log: () => {},
  }).handler;
}

async function call(path: string, init: RequestInit = {}): Promise<Response> {
  return (await routes()(new Request(`http://127.0.0.1:2380${path}`, init)))!;
}

describe("peer routes", () => {
  test("GET /members: decimal uint64 ids sorted numerically, etcd's field order, empty fields left out", async () => {
    const res = await call("/members");
    expect(res.status).toBe(200);
    expect(res.headers.get("X-Etcd-Cluster-Id")).toBe("7f2ab2a4e6477ca4");
    expect(res.headers.get("Content-Type")).toBe("application/json");
    expect(await res.text()).toBe(
      '[{"id":171272259136578086,"peerURLs":["http://127.0.0.1:22388"]},' +
        '{"id":3201324895580951615,"peerURLs":["http://127.0.0.1:22384"],"name":"b","clientURLs":["http://127.0.0.1:22383"]},' +
        '{"id":16353927960353697048,"peerURLs":["http://127.0.0.1:22382"],"name":"a","clientURLs":["http://127.0.0.1:22381"]}]',
    );
  });

  test("the /members text parses back to hex ids without losing digits", () => {
    const sorted = [...members].sort((x, y) => (BigInt("0x" + x.id) < BigInt("0x" + y.id) ? -1 : 1));
    expect(membersFromPeerJSON(membersToPeerJSON(members))).toEqual(sorted);
    expect(() => membersFromPeerJSON('{"id":1}')).toThrow();
    expect(() => membersFromPeerJSON('[{"id":18446744073709551616,"peerURLs":[]}]')).toThrow();
  });

  test("GET /version serves the version document without a cluster header", async () => {
    const res = await call("/version");
    expect(await res.text()).toBe('{"etcdserver":"2.3.8","etcdcluster":"2.3.0"}');
    expect(res.headers.get("X-Etcd-Cluster-Id")).toBeNull();
  });

  test("unknown paths are 404 and wrong methods 405, as Go's mux answers", async () => {
    const r404 = await call("/nope");
    expect(r404.status).toBe(404);
    expect(await r404.text()).toBe("404 page not found\n");
    const r405 = await call("/members", { method: "POST" });
    expect(r405.status).toBe(405);
    expect(r405.headers.get("Allow")).toBe("GET");
  });

  test("stream requests are checked for cluster, removal and destination before upgrading", async () => {
    const base = { "X-Server-From": "abc" };
    const noCluster = await call("/raft/stream", { headers: base });
    expect([noCluster.status, await noCluster.text()]).toEqual([412, "cluster ID mismatch\n"]);
    const removed = await call("/raft/stream", { headers: { "X-Etcd-Cluster-ID": "7f2ab2a4e6477ca4", "X-Server-From": "dead" } });
    expect([removed.status, await removed.text()]).toEqual([410, "removed member\n"]);
    const wrongTo = await call("/raft/stream", { headers: { "X-Etcd-Cluster-ID": "7f2ab2a4e6477ca4", ...base, "X-Raft-To": "1" } });
    expect([wrongTo.status, await wrongTo.text()]).toEqual([412, "to field mismatch\n"]);
    const fine = await call("/raft/stream", { headers: { "X-Etcd-Cluster-ID": "7F2AB2A4E6477CA4", ...base } });
    expect(fine.status).toBe(426);
  });
});
