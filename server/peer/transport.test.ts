import { afterEach, describe, expect, test } from "bun:test";
import type { Message } from "../raft/types.ts";
import { createTransport } from "./transport.ts";
import type { Transport, TransportOptions } from "./types.ts";

interface Node {
  id: string;
  url: string;
  t: Transport;
  got: Message[];
  snaps: Message[];
  logs: string[];
  unreachable: string[];
  snapStatus: [string, boolean][];
  removedCalls: number;
}

const open: Transport[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((t) => t.close()));
});

function node(id: string, opts: Partial<TransportOptions> & { port?: number } = {}): Node {
  const n: Node = { id, url: "", t: null as unknown as Transport, got: [], snaps: [], logs: [], unreachable: [], snapStatus: [], removedCalls: 0 };
  n.t = createTransport({
    selfId: id,
    clusterId: "c1",
    onMessage: (m) => n.got.push(m),
    onSnapshot: async (m) => void n.snaps.push(m),
    onUnreachable: (p) => n.unreachable.push(p),
    onSnapshotStatus: (p, ok) => n.snapStatus.push([p, ok]),
    onRemoved: () => n.removedCalls++,
    log: (l) => n.logs.push(l),
    ...opts,
  });
  const server = n.t.listen(`http://127.0.0.1:${opts.port ?? 0}`);
  n.url = `http://127.0.0.1:${server.port}`;
  open.push(n.t);
  return n;
}

function connect(nodes: Node[]): void {
  for (const a of nodes) for (const b of nodes) if (a !== b) a.t.addPeer(b.id, [b.url]);
}

function app(from: string, to: string, index: number, data = new Uint8Array([index & 255])): Message {
  return { type: 3, to, from, term: 1, logTerm: 1, index, entries: [{ term: 1, index: index + 1, type: 0, data }], commit: index, reject: false, rejectHint: 0 };
}

async function until(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error("condition not reached in time");
    await Bun.sleep(5);
  }
}

describe("peer transport", () => {
  test("three members exchange thousands of messages, in order per sender", async () => {
    const nodes = [node("a"), node("b"), node("c")];
    connect(nodes);
    const perPair = 3000;
    for (let i = 0; i < perPair; i += 100) {
      for (const from of nodes) {
        const batch: Message[] = [];
        for (const to of nodes) if (to !== from) for (let k = i; k < i + 100; k++) batch.push(app(from.id, to.id, k));
        from.t.send(batch);
      }
      await Bun.sleep(0);
    }
    await until(() => nodes.every((n) => n.got.length === perPair * 2));
    for (const n of nodes) {
      for (const from of nodes) {
        if (from === n) continue;
        const indexes = n.got.filter((m) => m.from === from.id).map((m) => m.index);
        expect(indexes).toEqual(Array.from({ length: perPair }, (_, i) => i));
        expect(n.got.every((m) => m.to === n.id)).toBe(true);
      }
    }
    const s = nodes[0]!.t.stats().find((p) => p.id === "b")!;
    expect(s.connected).toBe(true);
    expect(s.sentMessages).toBe(perPair);
    expect(s.recvMessages).toBe(perPair);
    expect(s.sentBytes).toBeGreaterThan(0);
    expect(s.droppedMessages).toBe(0);
  });

  test("reconnects after the receiver restarts and reports it unreachable meanwhile", async () => {
    const a = node("a", { backoffMsMin: 10, backoffMsMax: 100 });
    let b = node("b");
    const port = Number(new URL(b.url).port);
    a.t.addPeer("b", [b.url]);
    a.t.send([app("a", "b", 0)]);
    await until(() => b.got.length === 1);
    await b.t.close();
    await until(() => a.unreachable.includes("b"));
    b = node("b", { port });
    for (let i = 1; i <= 200; i++) a.t.send([app("a", "b", i)]);
    await until(() => b.got.length > 0 && b.got.at(-1)!.index === 200);
    const indexes = b.got.map((m) => m.index);
    expect(indexes).toEqual([...indexes].sort((x, y) => x - y));
  });

  test("a peer added without URLs starts streaming once its URLs are updated", async () => {
    const a = node("a");
    const b = node("b");
    a.t.addPeer("b", []);
    a.t.send([app("a", "b", 1)]);
    await Bun.sleep(20);
    a.t.updatePeer("b", [b.url]);
    await until(() => b.got.length === 1);
    expect(b.got[0]!.index).toBe(1);
  });

  test("round-trip time is measured on the stream", async () => {
    const a = node("a", { pingIntervalMs: 20 });
    const b = node("b");
    a.t.addPeer("b", [b.url]);
    await until(() => a.t.stats()[0]!.rttMs !== null);
    const rtt = a.t.stats()[0]!.rttMs!;
    expect(rtt).toBeGreaterThan(0);
    expect(rtt).toBeLessThan(1000);
  });

  test("a malformed message is dropped without throwing and the rest still arrive", async () => {
    const a = node("a");
    const b = node("b");
    a.t.addPeer("b", [b.url]);
    const broken = { ...app("a", "b", 1), entries: undefined } as unknown as Message;
    const badId = { ...app("a", "b", 2), from: "NOT-HEX" };
    expect(() => a.t.send([app("a", "b", 0), broken, badId, app("a", "b", 3)])).not.toThrow();
    await until(() => b.got.length === 2);
    expect(b.got.map((m) => m.index)).toEqual([0, 3]);
    expect(a.t.stats()[0]!.droppedMessages).toBe(2);
  });

  test("a throwing onMessage is logged and the stream keeps delivering", async () => {
    const a = node("a");
    const seen: number[] = [];
    const b = node("b", {
      onMessage: (m) => {
        seen.push(m.index);
        if (m.index === 1) throw new Error("boom");
      },
    });
    a.t.addPeer("b", [b.url]);
    a.t.send([app("a", "b", 0), app("a", "b", 1), app("a", "b", 2)]);
    await until(() => seen.length === 3);
    expect(seen).toEqual([0, 1, 2]);
    expect(b.logs.some((l) => l.includes("boom"))).toBe(true);
    expect(a.t.stats()[0]!.connected).toBe(true);
  });

  test("a bounded queue drops the oldest messages while the peer is away", async () => {
    const a = node("a", { queueMessagesMax: 10 });
    a.t.addPeer("b", ["http://127.0.0.1:1"]);
    a.t.send(Array.from({ length: 25 }, (_, i) => app("a", "b", i)));
    await until(() => a.unreachable.includes("b"));
    expect(a.t.stats()[0]!.droppedMessages).toBe(15);
  });

  test("a member of another cluster is refused with 412 and never gets messages", async () => {
    const a = node("a", { clusterId: "aaaa", backoffMsMin: 5, backoffMsMax: 20 });
    const b = node("b", { clusterId: "bbbb" });
    a.t.addPeer("b", [b.url]);
    a.t.send([app("a", "b", 1)]);
    await until(() => a.logs.some((l) => l.includes("cluster ID mismatch")));
    await until(() => a.unreachable.length >= 3);
    a.t.send([app("a", "b", 2)]);
    await Bun.sleep(50);
    expect(b.got).toEqual([]);
    expect(a.logs.filter((l) => l.includes("cluster ID mismatch"))).toEqual([
      "request sent was ignored (cluster ID mismatch: peer[b]=bbbb, local=aaaa)",
    ]);
    expect(a.t.stats()[0]!.connected).toBe(false);

    const res = await fetch(`${b.url}/raft/stream`, { headers: { "X-Etcd-Cluster-ID": "aaaa", "X-Server-From": "a" } });
    expect(res.status).toBe(412);
    expect(res.headers.get("X-Etcd-Cluster-ID")).toBe("bbbb");
    expect(await res.text()).toBe("cluster ID mismatch\n");
  });

  test("a removed member is refused with 410 and learns it was removed", async () => {
    const removed = new Set(["a"]);
    const a = node("a");
    const b = node("b", { isRemoved: (id) => removed.has(id) });
    a.t.addPeer("b", [b.url]);
    a.t.send([app("a", "b", 1)]);
    await until(() => a.removedCalls === 1);
    expect(b.got).toEqual([]);
    const res = await fetch(`${b.url}/raft/snapshot`, { method: "POST", headers: { "X-Etcd-Cluster-ID": "c1", "X-Server-From": "a" } });
    expect(res.status).toBe(410);
    expect(await res.text()).toBe("removed member\n");
  });

  test("a member removed while its stream is open is told so on its next frame", async () => {
    const removed = new Set<string>();
    const a = node("a");
    const b = node("b", { isRemoved: (id) => removed.has(id) });
    a.t.addPeer("b", [b.url]);
    a.t.send([app("a", "b", 1)]);
    await until(() => b.got.length === 1);
    removed.add("a");
    a.t.send([app("a", "b", 2)]);
    await until(() => a.removedCalls === 1);
    expect(b.got.length).toBe(1);
  });

  test("a 100 MB snapshot arrives intact with bounded memory, and the sender learns it succeeded", async () => {
    const a = node("a");
    const b = node("b");
    a.t.addPeer("b", [b.url]);
    const size = 100 << 20;
    const data = new Uint8Array(size);
    for (let i = 0; i < size; i += 4096) data[i] = (i / 4096) & 255;
    data[size - 1] = 77;
    const snap: Message = {
      ...app("a", "b", 0),
      type: 7,
      entries: [],
      snapshot: { metadata: { index: 900, term: 4, confState: { voters: ["a", "b"], learners: [] } }, data },
    };
    Bun.gc(true);
    const rss0 = process.memoryUsage().rss;
    let peak = rss0;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
    a.t.send([snap]);
    await until(() => a.snapStatus.length === 1, 30_000);
    clearInterval(sampler);
    expect(a.snapStatus).toEqual([["b", true]]);
    const got = b.snaps[0]!;
    expect(got.snapshot!.metadata).toEqual(snap.snapshot!.metadata);
    expect(got.snapshot!.data.length).toBe(size);
    expect(Bun.hash(got.snapshot!.data)).toBe(Bun.hash(data));
    // One copy lands at the receiver; anything near a second or third copy means buffering.
    console.log("snapshot rss delta MB", (peak - rss0) >> 20);
    expect(peak - rss0).toBeLessThan(size * 2.5);
    expect(a.t.stats()[0]!.snapshotsSent).toBe(1);
  }, 60_000);

  test("a snapshot the receiver rejects, or an unreachable peer, reports failure", async () => {
    const a = node("a");
    const b = node("b", { onSnapshot: async () => Promise.reject(new Error("disk full")) });
    a.t.addPeer("b", [b.url]);
    a.t.addPeer("c", ["http://127.0.0.1:1"]);
    const snap = (to: string): Message => ({
      ...app("a", to, 0),
      type: 7,
      entries: [],
      snapshot: { metadata: { index: 9, term: 1, confState: { voters: ["a"], learners: [] } }, data: new Uint8Array(1000) },
    });
    a.t.send([snap("b"), snap("c")]);
    await until(() => a.snapStatus.length === 2);
    expect(a.snapStatus.sort()).toEqual([
      ["b", false],
      ["c", false],
    ]);
    expect(b.logs.some((l) => l.includes("disk full"))).toBe(true);
  });

  test("a snapshot whose bytes the member dropped is read back before it leaves; one that cannot be read fails", async () => {
    const data = Uint8Array.from({ length: 5000 }, (_, i) => i * 7);
    const asked: number[] = [];
    const a = node("a", {
      snapshotData: async (m) => {
        asked.push(m.index);
        if (m.index === 13) throw new Error("ENOENT: purged");
        return data;
      },
    });
    const b = node("b");
    a.t.addPeer("b", [b.url]);
    const snap = (index: number): Message => ({
      ...app("a", "b", 0),
      type: 7,
      entries: [],
      snapshot: { metadata: { index, term: 2, confState: { voters: ["a", "b"], learners: [] } }, data: new Uint8Array(0) },
    });
    a.t.send([snap(12)]);
    await until(() => a.snapStatus.length === 1);
    expect(a.snapStatus).toEqual([["b", true]]);
    expect(b.snaps[0]!.snapshot!.metadata.index).toBe(12);
    expect(Bun.hash(b.snaps[0]!.snapshot!.data)).toBe(Bun.hash(data));
    a.t.send([snap(13)]);
    await until(() => a.snapStatus.length === 2);
    expect(a.snapStatus[1]).toEqual(["b", false]);
    expect(a.logs.some((l) => l.includes("cannot read snapshot 13") && l.includes("purged"))).toBe(true);
    expect(asked).toEqual([12, 13]);
    expect(b.snaps.length).toBe(1);
  });

  test("a truncated or corrupt snapshot upload is refused with 400", async () => {
    const b = node("b");
    const headers = { "X-Etcd-Cluster-ID": "c1", "X-Server-From": "a" };
    for (const body of [new Uint8Array([0, 0]), new Uint8Array([0, 0, 0, 3, 1, 2, 3]), new Uint8Array(0)]) {
      const res = await fetch(`${b.url}/raft/snapshot`, { method: "POST", headers, body });
      expect(res.status).toBe(400);
    }
    expect(b.snaps).toEqual([]);
  });
});
