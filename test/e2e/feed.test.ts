// The dashboard feed in-process: the real client API (createApp) over a real single Raft
// member, read as the browser reads it (SSE), with writes and watches made through the API.
import { afterEach, describe, expect, test } from "bun:test";
import { FEED_PATH, type FeedMessage, type FeedStatus } from "../../shared/feed.ts";
import { createApp } from "../../server/api/app.ts";
import { deriveRaftEvents } from "../../server/api/feed.ts";
import { startTestMember, type TestMember } from "../support/member.ts";

const ORIGIN = "http://127.0.0.1:2379";
/** Time for a cancelled stream to reach the hub. */
const CANCEL_SETTLE_MS = 50;

/** Reads SSE messages off a response body, one at a time. */
class FeedReader {
  private buffer = "";
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly decoder = new TextDecoder();
  constructor(response: Response) {
    this.reader = response.body!.getReader();
  }
  async next(): Promise<{ event: string; msg: FeedMessage }> {
    for (;;) {
      const end = this.buffer.indexOf("\n\n");
      if (end >= 0) {
        const block = this.buffer.slice(0, end);
        this.buffer = this.buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1] ?? "message";
        const data = /^data: (.*)$/m.exec(block)?.[1] ?? "null";
        return { event, msg: JSON.parse(data) as FeedMessage };
      }
      const { done, value } = await this.reader.read();
      if (done) throw new Error("feed ended");
      this.buffer += this.decoder.decode(value, { stream: true });
    }
  }
  /** Skip messages until one satisfies `match`. */
  async until<T>(match: (m: FeedMessage) => T | undefined, limit = 200): Promise<T> {
    for (let i = 0; i < limit; i++) {
      const found = match((await this.next()).msg);
      if (found !== undefined) return found;
    }
    throw new Error("no matching feed message");
  }
  cancel(): Promise<void> {
    return this.reader.cancel();
  }
}

const members: TestMember[] = [];

async function setup() {
  const started = await startTestMember({ name: "solo", clientURLs: [ORIGIN] });
  members.push(started);
  const member = started.member;
  // A counting spy on the real member's store-event hook: how the tests see whether the feed's
  // hub is subscribed (it no longer needs a store watcher of its own).
  const hooks = { active: 0 };
  const introspect = member.introspect.bind(member);
  member.introspect = () => {
    const intro = introspect();
    const on = intro.onStoreEvent!;
    return {
      ...intro,
      onStoreEvent: (listener) => {
        hooks.active++;
        const off = on(listener);
        return () => {
          hooks.active--;
          off();
        };
      },
    };
  };
  const app = createApp(member, {});
  return { member, app, hooks };
}

const readers: FeedReader[] = [];
afterEach(async () => {
  for (const r of readers.splice(0)) await r.cancel().catch(() => {});
  for (const m of members.splice(0)) await m.stop();
});

async function openFeed(app: Awaited<ReturnType<typeof setup>>["app"]): Promise<FeedReader> {
  // The API mounts the feed with its default 1 s interval: only the watch and rate tests wait
  // for a status sample; the rest react to pushed messages.
  const res = await app.handle(new Request(`${ORIGIN}${FEED_PATH}`, { headers: { Accept: "text/event-stream" } }));
  expect(res.status).toBe(200);
  expect(res.headers.get("Content-Type")).toBe("text/event-stream");
  const reader = new FeedReader(res);
  readers.push(reader);
  return reader;
}

async function put(app: Awaited<ReturnType<typeof setup>>["app"], key: string, value: string): Promise<void> {
  const res = await app.handle(new Request(`${ORIGIN}/v2/keys${key}`, { method: "PUT", body: new URLSearchParams({ value }) }));
  expect(res.status).toBeLessThan(300);
  await res.arrayBuffer();
}

describe("dashboard feed over a single Raft member", () => {
  test("the first message describes the member and its cluster", async () => {
    const { member, app } = await setup();
    const feed = await openFeed(app);
    const { event, msg } = await feed.next();
    expect(event).toBe("hello");
    if (msg.type !== "hello") throw new Error(msg.type);
    const s = msg.status;
    expect(s.self).toEqual({ id: member.id, name: "solo", clusterId: member.clusterId });
    expect(s.role).toBe("leader");
    expect(s.leaderId).toBe(member.id);
    expect(s.term).toBe(member.raftTerm());
    expect(s.commitIndex).toBe(member.raftIndex());
    expect(s.storeIndex).toBe(member.store.index);
    expect(s.members).toHaveLength(1);
    expect(s.members[0]).toMatchObject({ id: member.id, clientURLs: [ORIGIN], isLeader: true, isSelf: true, lag: 0 });
    // The Raft member is introspectable: the feed shows its applied index and raft log.
    expect(s.appliedIndex).toBe(member.raftIndex());
    expect(s.capabilities).toEqual({ progress: true, appliedIndex: true, raftLog: true, commitLatency: true, raftEvents: true });
    expect(msg.log.at(-1)?.index).toBe(member.raftIndex());
  });

  test("a write through the API arrives as a store change with the user's key", async () => {
    const { app } = await setup();
    const feed = await openFeed(app);
    await feed.next();
    await put(app, "/dir/key", "hello");
    const change = await feed.until((m) => (m.type === "store" ? m.change : undefined));
    expect(change).toMatchObject({ action: "set", key: "/dir/key", value: "hello", dir: false });
    expect(change.modifiedIndex).toBeGreaterThan(0);
  });

  test("open watches are listed by key, without the feed's own watch", async () => {
    const { member, app } = await setup();
    const feed = await openFeed(app);
    await feed.next();
    const watch = new AbortController();
    const pending = app.handle(new Request(`${ORIGIN}/v2/keys/watched?wait=true`, { signal: watch.signal }));
    const status = await feed.until((m) => (m.type === "status" && m.status.watches.length > 0 ? m.status : undefined));
    expect(status.watches).toEqual([{ key: "/watched", recursive: false, count: 1 }]);
    // The feed follows the store through the member's event hook, so the store counts only the client's watch.
    const storeCount = member.store.watchedKeys().reduce((n, w) => n + w.count, 0);
    expect(storeCount).toBe(1);
    await put(app, "/watched", "x");
    await (await pending).arrayBuffer();
    watch.abort();
  });

  test("write and request rates reflect the writes made between samples", async () => {
    const { app } = await setup();
    const feed = await openFeed(app);
    await feed.next();
    for (let i = 0; i < 20; i++) await put(app, `/rate/${i}`, "v");
    const status: FeedStatus = await feed.until((m) => (m.type === "status" && m.status.rates.writesPerSec > 0 ? m.status : undefined));
    expect(status.rates.requestsPerSec).toBeGreaterThanOrEqual(status.rates.writesPerSec);
    // Writes go through Raft and the WAL, so the member times their commits; its window is the
    // last second, so keep writing until a sample lands inside it.
    let writing = true;
    const writer = (async () => {
      // Paced, so the store messages do not crowd the status samples out of until()'s limit.
      for (let i = 0; writing; i++) await Promise.all([put(app, `/latency/${i % 10}`, "v"), Bun.sleep(50)]);
    })();
    const timed = await feed.until((m) => (m.type === "status" && m.status.rates.commitLatencyMsP50 !== null ? m.status.rates : undefined));
    writing = false;
    await writer;
    expect(timed.commitLatencyMsP50).toBeGreaterThan(0);
    expect(timed.commitLatencyMsP99).toBeGreaterThanOrEqual(timed.commitLatencyMsP50!);
  });

  test("the hub stops sampling when the last browser leaves and starts again for the next", async () => {
    const { member, app, hooks } = await setup();
    const first = await openFeed(app);
    await first.next();
    expect(hooks.active).toBe(1);
    await first.cancel();
    readers.splice(readers.indexOf(first), 1);
    await Bun.sleep(CANCEL_SETTLE_MS);
    expect([hooks.active, member.store.watchedKeys()]).toEqual([0, []]);
    const second = await openFeed(app);
    const { event } = await second.next();
    expect(event).toBe("hello");
    expect(hooks.active).toBe(1);
  });

  test("a browser that stops reading is dropped, not buffered without bound", async () => {
    const { member, app } = await setup();
    const feed = await openFeed(app);
    // Never read: every write queues one store message for this connection.
    for (let i = 0; i < 1100; i++) await put(app, `/flood/${i % 10}`, String(i));
    expect(member.store.watchedKeys()).toEqual([]);
    let received = 0;
    await expect(
      (async () => {
        for (;;) {
          await feed.next();
          received++;
        }
      })(),
    ).rejects.toThrow("feed ended");
    expect(received).toBeGreaterThan(1000);
    expect(received).toBeLessThan(1100);
  });

  test("over a real socket, a browser that goes away is unsubscribed", async () => {
    const { member, app, hooks } = await setup();
    const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: (r) => app.handle(r) });
    try {
      const abort = new AbortController();
      const res = await fetch(`http://127.0.0.1:${server.port}${FEED_PATH}`, { signal: abort.signal });
      const feed = new FeedReader(res);
      expect((await feed.next()).event).toBe("hello");
      expect(hooks.active).toBe(1);
      abort.abort();
      await feed.cancel().catch(() => {});
      const deadline = Date.now() + 5000;
      while (hooks.active > 0 && Date.now() < deadline) await Bun.sleep(20);
      expect([hooks.active, member.store.watchedKeys()]).toEqual([0, []]);
    } finally {
      server.stop(true);
    }
  });
});

describe("raft events derived from status samples", () => {
  const base = (over: Partial<FeedStatus>): FeedStatus => ({
    atMs: 1000,
    self: { id: "a", name: "a", clusterId: "c" },
    role: "follower",
    term: 2,
    leaderId: "a",
    commitIndex: 10,
    appliedIndex: null,
    storeIndex: 5,
    members: [member("a"), member("b")],
    rates: { requestsPerSec: 0, writesPerSec: 0, commitLatencyMsP50: null, commitLatencyMsP99: null },
    watches: [],
    capabilities: { progress: false, appliedIndex: false, raftLog: false, commitLatency: false, raftEvents: false },
    ...over,
  });
  function member(id: string, peer = `http://${id}:2380`) {
    return { id, name: id, clientURLs: [], peerURLs: [peer], isLeader: false, isSelf: false, matchIndex: null, lag: null, progressState: null, health: "unknown" as const, rttMs: null };
  }

  test("no change, no event", () => {
    expect(deriveRaftEvents(base({}), base({ atMs: 2000 }))).toEqual([]);
  });

  test("a new term and a new leader", () => {
    const events = deriveRaftEvents(base({}), base({ atMs: 2000, term: 3, leaderId: "b" }));
    expect(events.map((e) => [e.kind, e.term, e.leaderId ?? null])).toEqual([
      ["election", 3, null],
      ["leader-change", 3, "b"],
    ]);
  });

  test("losing the leader", () => {
    const [e] = deriveRaftEvents(base({}), base({ leaderId: null }));
    expect(e).toMatchObject({ kind: "leader-change", leaderId: null, detail: "leader lost" });
  });

  test("members added, removed and updated", () => {
    const events = deriveRaftEvents(base({}), base({ members: [member("a", "http://a2:2380"), member("c")] }));
    expect(events.map((e) => [e.kind, e.memberId])).toEqual([
      ["member-updated", "a"],
      ["member-added", "c"],
      ["member-removed", "b"],
    ]);
  });
});
