import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { MemberJSON } from "../../shared/v2.ts";
import { createTransport } from "../peer/transport.ts";
import type { Transport } from "../peer/types.ts";
import { BootstrapError, bootstrapStatic, parseInitialCluster, type StaticBootstrapOptions } from "./static.ts";

const base = (over: Partial<StaticBootstrapOptions>): StaticBootstrapOptions => ({
  name: "a",
  initialCluster: "a=http://127.0.0.1:22382,b=http://127.0.0.1:22384,c=http://127.0.0.1:22386",
  initialAdvertisePeerURLs: ["http://127.0.0.1:22382"],
  initialClusterToken: "spec-tok",
  initialClusterState: "new",
  fetchTimeoutMs: 300,
  ...over,
});

const transports: Transport[] = [];
afterAll(async () => void (await Promise.all(transports.map((t) => t.close()))));

/** A peer port serving `/members` for a running cluster, as another member would. */
function runningPeer(clusterId: string, members: MemberJSON[]): string {
  const t = createTransport({ selfId: "1", clusterId, onMessage() {}, onSnapshot: async () => {}, members: () => members, log() {} });
  transports.push(t);
  return `http://127.0.0.1:${t.listen("http://127.0.0.1:0").port}`;
}

describe("parseInitialCluster", () => {
  test("a repeated name collects several URLs, sorted", () => {
    expect([...parseInitialCluster("x=http://10.0.0.2:2380,y=https://h:1,x=http://10.0.0.1:7001")]).toEqual([
      ["x", ["http://10.0.0.1:7001", "http://10.0.0.2:2380"]],
      ["y", ["https://h:1"]],
    ]);
  });

  test("bad URLs are refused with etcd's messages", () => {
    expect(() => parseInitialCluster("x=foo")).toThrow("error setting up initial cluster: URL scheme must be http, https, unix, or unixs: foo");
    expect(() => parseInitialCluster("x=http://h:1/p")).toThrow("URL must not contain a path: http://h:1/p");
    expect(() => parseInitialCluster("x=http://h")).toThrow('URL address does not have the form "host:port": http://h');
    expect(() => parseInitialCluster("x=http://[::1]:2380")).not.toThrow();
  });
});

describe("bootstrapStatic, new cluster", () => {
  test("IDs and cluster ID are etcd's for the same flags", async () => {
    const b = await bootstrapStatic(base({}));
    expect(b.selfId).toBe("e2f4d2d54735ed18");
    expect(b.clusterId).toBe("7f2ab2a4e6477ca4");
    expect(b.members.map((m) => [m.id, m.name])).toEqual([
      ["2c6d6407fbb7943f", "b"],
      ["7837c77a66577321", "c"],
      ["e2f4d2d54735ed18", "a"],
    ]);
  });

  test("local name missing, advertised URLs differing and duplicate URLs are refused", async () => {
    await expect(bootstrapStatic(base({ name: "x" }))).rejects.toThrow(`couldn't find local name "x" in the initial cluster configuration`);
    await expect(bootstrapStatic(base({ initialAdvertisePeerURLs: ["http://127.0.0.1:9"] }))).rejects.toThrow(
      "a has different advertised URLs in the cluster and advertised peer URLs list",
    );
    await expect(bootstrapStatic(base({ initialCluster: "a=http://127.0.0.1:22382,b=http://127.0.0.1:22382" }))).rejects.toThrow(
      "initial cluster a=http://127.0.0.1:22382,b=http://127.0.0.1:22382 has duplicate url",
    );
    await expect(bootstrapStatic(base({ name: "x" }))).rejects.toBeInstanceOf(BootstrapError);
  });

  test("a member whose ID already serves, started, in the running cluster is refused", async () => {
    const peer = runningPeer("7f2ab2a4e6477ca4", [
      { id: "e2f4d2d54735ed18", name: "a", peerURLs: ["http://127.0.0.1:22382"], clientURLs: ["http://127.0.0.1:22381"] },
    ]);
    const cluster = `a=http://127.0.0.1:22382,b=${peer}`;
    await expect(bootstrapStatic(base({ initialCluster: cluster }))).rejects.toThrow("member e2f4d2d54735ed18 has already been bootstrapped");
  });
});

describe("bootstrapStatic, joining an existing cluster", () => {
  const running = (peer: string): MemberJSON[] => [
    { id: "8211f1d0f64f3269", name: "a", peerURLs: [peer], clientURLs: ["http://127.0.0.1:12379"] },
    { id: "91bc3c398fb3c146", name: "", peerURLs: ["http://127.0.0.1:12390"], clientURLs: [] },
  ];

  test("takes IDs and the cluster ID from the running cluster", async () => {
    const members: MemberJSON[] = [];
    const peer = runningPeer("abcdef0123456789", members);
    members.push(...running(peer));
    const b = await bootstrapStatic(
      base({ name: "new", initialCluster: `a=${peer},new=http://127.0.0.1:12390`, initialAdvertisePeerURLs: ["http://127.0.0.1:12390"], initialClusterState: "existing" }),
    );
    expect(b).toEqual({
      selfId: "91bc3c398fb3c146",
      clusterId: "abcdef0123456789",
      members: [
        { id: "8211f1d0f64f3269", name: "a", peerURLs: [peer], clientURLs: ["http://127.0.0.1:12379"] },
        { id: "91bc3c398fb3c146", name: "new", peerURLs: ["http://127.0.0.1:12390"], clientURLs: [] },
      ],
    });
  });

  test("a different member count or peer URLs are refused, and so is an unreachable cluster", async () => {
    const members: MemberJSON[] = [];
    const peer = runningPeer("abcdef0123456789", members);
    members.push(...running(peer));
    const join = (initialCluster: string) =>
      bootstrapStatic(base({ name: "new", initialCluster, initialAdvertisePeerURLs: ["http://127.0.0.1:12390"], initialClusterState: "existing" }));
    await expect(join(`a=${peer},new=http://127.0.0.1:12390,c=http://127.0.0.1:12392`)).rejects.toThrow("member count is unequal");
    await expect(join(`a=${peer},new=http://127.0.0.1:12391`)).rejects.toThrow("unmatched member while checking PeerURLs");
    await expect(join(`a=http://127.0.0.1:1,new=http://127.0.0.1:12390`)).rejects.toThrow("could not retrieve cluster information");
  });

  // Needs the reference etcd (apt-get install etcd-server), which .ci/run installs; skipped only
  // where it is missing.
  test.skipIf(!existsSync("/usr/bin/etcd"))("reads a real etcd's /members and agrees with its IDs", async () => {
    const dir = mkdtempSync(join(tmpdir(), "etcbun-static-"));
    const ports = await freePorts(3);
    const peer = `http://127.0.0.1:${ports[0]}`;
    const client = `http://127.0.0.1:${ports[1]}`;
    const etcd = Bun.spawn(
      ["/usr/bin/etcd", "--name", "a", "--data-dir", dir, "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
        "--listen-client-urls", client, "--advertise-client-urls", client, "--initial-cluster", `a=${peer}`, "--initial-cluster-token", "tok", "--enable-v2=true"],
      { stdout: "ignore", stderr: "ignore" },
    );
    try {
      const newPeer = `http://127.0.0.1:${ports[2]}`;
      let added: { id: string } | null = null;
      for (let i = 0; i < 100 && added === null; i++) {
        const res = await fetch(`${client}/v2/members`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ peerURLs: [newPeer] }) }).catch(() => null);
        if (res?.status === 201) added = (await res.json()) as { id: string };
        else await Bun.sleep(50);
      }
      expect(added).not.toBeNull();
      const b = await bootstrapStatic({
        name: "n",
        initialCluster: `a=${peer},n=${newPeer}`,
        initialAdvertisePeerURLs: [newPeer],
        initialClusterToken: "tok",
        initialClusterState: "existing",
      });
      const list = (await (await fetch(`${client}/v2/members`)).json()) as { members: MemberJSON[] };
      expect(b.selfId).toBe(added!.id);
      expect(b.members.map((m) => m.id).sort()).toEqual(list.members.map((m) => m.id).sort());
      const etcdClusterId = (await fetch(`${client}/v2/members`)).headers.get("X-Etcd-Cluster-Id");
      expect(b.clusterId).toBe(etcdClusterId!);
    } finally {
      etcd.kill();
      await etcd.exited;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

async function freePorts(n: number): Promise<number[]> {
  const servers = Array.from({ length: n }, () => Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response() }));
  const ports = servers.map((s) => s.port!);
  await Promise.all(servers.map((s) => s.stop(true)));
  return ports;
}
