// The dashboard's live feed (GET FEED_PATH): one SSE stream carrying FeedMessages. One hub per
// member samples status on a timer and relays store changes and Raft events; it runs only while
// at least one browser is connected, so an idle member pays nothing.
import {
  FEED_LIMITS,
  type FeedCapabilities,
  type FeedMember,
  type FeedMessage,
  type FeedRole,
  type FeedStatus,
  type FeedWatch,
  type LogEntrySummary,
  type RaftEvent,
  type StoreChange,
} from "../../shared/feed.ts";
import type { EventJSON, StoreStatsJSON } from "../../shared/v2.ts";
import { isIntrospectable, userKey, type MemberIntrospection } from "../member/introspect.ts";
import type { Member } from "../member/types.ts";
import type { Watcher } from "../store/types.ts";

export interface FeedOptions {
  /** How often `status` is sampled and sent. */
  intervalMs?: number;
}

const DEFAULT_INTERVAL_MS = 1000;
/** The client API's user key space; the hub watches it when the member offers no event hook. */
const USER_ROOT = "/1";
const VALUE_PREVIEW_CHARS = 300;
const REWATCH_DELAY_MS = 100;
/** Messages queued for one connection before it counts as stalled (~10 minutes of status). */
const MAX_QUEUED_MESSAGES = 1000;

type Subscriber = (msg: FeedMessage) => void;

class FeedHub {
  readonly intervalMs: number;
  private readonly intro: MemberIntrospection;
  private readonly subscribers = new Set<Subscriber>();
  private readonly raftEvents: RaftEvent[] = [];
  private readonly storeChanges: StoreChange[] = [];
  private readonly log: LogEntrySummary[] = [];
  private lastLogIndex = 0;
  private timer: ReturnType<typeof setInterval> | null = null;
  private stopHooks: (() => void)[] = [];
  private prevStatus: FeedStatus | null = null;
  private prevStats: { atMs: number; stats: StoreStatsJSON } | null = null;
  private ownWatcher: Watcher | null = null;

  constructor(
    private readonly member: Member,
    opts: FeedOptions,
  ) {
    this.intervalMs = opts.intervalMs ?? DEFAULT_INTERVAL_MS;
    this.intro = isIntrospectable(member) ? member.introspect() : {};
    // Raft events are rare and the first ones (the startup election) happen before any browser
    // connects, so they are recorded for the member's lifetime, not only while someone watches.
    this.intro.onRaftEvent?.((e) => this.raftEvent(e));
  }

  subscribe(subscriber: Subscriber): () => void {
    if (this.subscribers.size === 0) this.start();
    const status = this.prevStatus ?? this.sample();
    subscriber({
      type: "hello",
      status,
      raftEvents: [...this.raftEvents],
      storeChanges: [...this.storeChanges],
      log: [...this.log],
      intervalMs: this.intervalMs,
    });
    this.subscribers.add(subscriber);
    return () => {
      this.subscribers.delete(subscriber);
      if (this.subscribers.size === 0) this.stop();
    };
  }

  private start(): void {
    const { intro } = this;
    if (intro.onStoreEvent) {
      this.stopHooks.push(intro.onStoreEvent((e) => this.storeEvent(e)));
    } else {
      this.watchStore();
    }
    this.pollLog();
    this.prevStatus = this.sample();
    this.timer = setInterval(() => this.tick(), this.intervalMs);
  }

  private stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const hook of this.stopHooks) hook();
    this.stopHooks = [];
    this.prevStats = null;
    const w = this.ownWatcher;
    this.ownWatcher = null;
    w?.remove();
  }

  private broadcast(msg: FeedMessage): void {
    for (const s of this.subscribers) s(msg);
  }

  private tick(): void {
    const status = this.sample();
    if (!this.intro.onRaftEvent && this.prevStatus) {
      for (const e of deriveRaftEvents(this.prevStatus, status)) this.raftEvent(e);
    }
    this.prevStatus = status;
    this.pollLog();
    this.broadcast({ type: "status", status });
  }

  private raftEvent(event: RaftEvent): void {
    pushBounded(this.raftEvents, event, FEED_LIMITS.raftEvents);
    this.broadcast({ type: "raft", event });
  }

  private storeEvent(event: EventJSON): void {
    const node = event.node;
    if (!node?.key || (node.key !== USER_ROOT && !node.key.startsWith(`${USER_ROOT}/`))) return;
    const change: StoreChange = {
      atMs: Date.now(),
      action: event.action,
      key: userKey(node.key),
      dir: node.dir === true,
      modifiedIndex: node.modifiedIndex ?? 0,
    };
    if (node.value !== undefined) change.value = node.value.slice(0, VALUE_PREVIEW_CHARS);
    pushBounded(this.storeChanges, change, FEED_LIMITS.storeChanges);
    this.broadcast({ type: "store", change });
  }

  /** Fallback when the member has no event hook: one recursive stream watch on the key space. */
  private watchStore(): void {
    if (this.ownWatcher !== null) return;
    let watcher: Watcher;
    try {
      watcher = this.member.store.watch(USER_ROOT, { recursive: true, stream: true, sinceIndex: 0 });
    } catch {
      setTimeout(() => this.rewatchIfRunning(), REWATCH_DELAY_MS);
      return;
    }
    this.ownWatcher = watcher;
    const pump = async () => {
      for (;;) {
        const event = await watcher.next();
        if (event === null) break;
        this.storeEvent(event);
      }
      // Closed by a store recover() or dropped as slow: register again while anyone listens.
      if (this.ownWatcher === watcher) {
        this.ownWatcher = null;
        setTimeout(() => this.rewatchIfRunning(), REWATCH_DELAY_MS);
      }
    };
    void pump();
  }

  private rewatchIfRunning(): void {
    if (this.subscribers.size > 0 && this.ownWatcher === null) this.watchStore();
  }

  private pollLog(): void {
    if (!this.intro.logEntries) return;
    const entries = this.intro.logEntries(this.lastLogIndex, { limit: FEED_LIMITS.logEntries });
    if (entries.length === 0) return;
    this.lastLogIndex = entries[entries.length - 1]!.index;
    for (const e of entries) pushBounded(this.log, e, FEED_LIMITS.logEntries);
    this.broadcast({ type: "log", entries });
  }

  private sample(): FeedStatus {
    const { member, intro } = this;
    const atMs = Date.now();
    const self = member.selfStats();
    const commitIndex = member.raftIndex();
    const appliedIndex = intro.appliedIndex ? intro.appliedIndex() : null;
    const leaderId = member.leader()?.id ?? null;
    const capabilities: FeedCapabilities = {
      progress: intro.progress !== undefined,
      appliedIndex: intro.appliedIndex !== undefined,
      raftLog: intro.logEntries !== undefined,
      commitLatency: intro.commitLatencyMs !== undefined,
      raftEvents: intro.onRaftEvent !== undefined,
    };
    const stats = member.store.stats();
    const latency = intro.commitLatencyMs?.() ?? null;
    const rates = {
      ...ratesSince(this.prevStats, { atMs, stats }),
      commitLatencyMsP50: latency?.p50 ?? null,
      commitLatencyMsP99: latency?.p99 ?? null,
    };
    this.prevStats = { atMs, stats };
    return {
      atMs,
      self: { id: member.id, name: member.name, clusterId: member.clusterId },
      role: intro.role ? intro.role() : roleFromState(self.state),
      term: member.raftTerm(),
      leaderId,
      commitIndex,
      appliedIndex,
      storeIndex: member.store.index,
      members: this.sampleMembers({ commitIndex, appliedIndex, leaderId }),
      rates,
      watches: this.sampleWatches(),
      capabilities,
    };
  }

  private sampleMembers(at: { commitIndex: number; appliedIndex: number | null; leaderId: string | null }): FeedMember[] {
    const { member, intro } = this;
    const progress = intro.progress?.() ?? null;
    const leaderStats = member.leaderStats();
    return member.members().map((m): FeedMember => {
      const isSelf = m.id === member.id;
      const p = progress?.find((x) => x.id === m.id);
      const follower = leaderStats?.followers[m.id];
      // A member always holds every entry it knows committed; its apply lag is what shows.
      const matchIndex = p ? p.matchIndex : isSelf ? at.commitIndex : null;
      const lagFrom = isSelf && at.appliedIndex !== null ? at.appliedIndex : matchIndex;
      return {
        id: m.id,
        name: m.name,
        clientURLs: m.clientURLs,
        peerURLs: m.peerURLs,
        isLeader: m.id === at.leaderId,
        isSelf,
        matchIndex,
        lag: lagFrom === null ? null : Math.max(0, at.commitIndex - lagFrom),
        progressState: p?.state ?? null,
        health: isSelf ? "healthy" : (p?.health ?? "unknown"),
        rttMs: p?.rttMs ?? (follower ? follower.latency.current : null),
      };
    });
  }

  private sampleWatches(): FeedWatch[] {
    const out: FeedWatch[] = [];
    for (const w of this.member.store.watchedKeys()) {
      const own = this.ownWatcher !== null && w.key === USER_ROOT && w.recursive ? 1 : 0;
      const count = w.count - own;
      if (count > 0 && (w.key === USER_ROOT || w.key.startsWith(`${USER_ROOT}/`))) {
        out.push({ key: userKey(w.key), recursive: w.recursive, count });
      }
    }
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }
}

function pushBounded<T>(ring: T[], item: T, max: number): void {
  ring.push(item);
  if (ring.length > max) ring.splice(0, ring.length - max);
}

function roleFromState(state: string): FeedRole | null {
  switch (state) {
    case "StateLeader":
      return "leader";
    case "StateFollower":
      return "follower";
    case "StateCandidate":
      return "candidate";
    case "StatePreCandidate":
      return "pre-candidate";
    default:
      return null;
  }
}

type Sample = { atMs: number; stats: StoreStatsJSON };

function ratesSince(prev: Sample | null, now: Sample): { requestsPerSec: number; writesPerSec: number } {
  if (!prev || now.atMs <= prev.atMs) return { requestsPerSec: 0, writesPerSec: 0 };
  const secs = (now.atMs - prev.atMs) / 1000;
  const writes = writeCount(now.stats) - writeCount(prev.stats);
  const reads = readCount(now.stats) - readCount(prev.stats);
  // A store recover() resets counters; a negative delta is not a rate.
  return {
    requestsPerSec: Math.max(0, (writes + reads) / secs),
    writesPerSec: Math.max(0, writes / secs),
  };
}

function readCount(s: StoreStatsJSON): number {
  return s.getsSuccess + s.getsFail;
}

function writeCount(s: StoreStatsJSON): number {
  return (
    s.setsSuccess + s.setsFail + s.deleteSuccess + s.deleteFail + s.updateSuccess + s.updateFail +
    s.createSuccess + s.createFail + s.compareAndSwapSuccess + s.compareAndSwapFail +
    s.compareAndDeleteSuccess + s.compareAndDeleteFail
  );
}

/** Elections, leader changes and membership changes, seen as differences between two samples. */
export function deriveRaftEvents(prev: FeedStatus, next: FeedStatus): RaftEvent[] {
  const out: RaftEvent[] = [];
  const base = { atMs: next.atMs, term: next.term, index: null };
  if (next.term > prev.term) {
    out.push({ ...base, kind: "election", detail: `term ${prev.term} → ${next.term}` });
  }
  if (next.leaderId !== prev.leaderId) {
    const name = next.members.find((m) => m.id === next.leaderId)?.name || next.leaderId;
    out.push({
      ...base,
      kind: "leader-change",
      leaderId: next.leaderId,
      detail: next.leaderId === null ? "leader lost" : `leader is ${name}`,
    });
  }
  const before = new Map(prev.members.map((m) => [m.id, m]));
  const after = new Map(next.members.map((m) => [m.id, m]));
  for (const [id, m] of after) {
    const old = before.get(id);
    if (!old) {
      out.push({ ...base, kind: "member-added", memberId: id, detail: `added ${m.name || id} ${m.peerURLs.join(",")}` });
    } else if (old.peerURLs.join() !== m.peerURLs.join() || old.clientURLs.join() !== m.clientURLs.join() || old.name !== m.name) {
      out.push({ ...base, kind: "member-updated", memberId: id, detail: `updated ${m.name || id}` });
    }
  }
  for (const [id, m] of before) {
    if (!after.has(id)) out.push({ ...base, kind: "member-removed", memberId: id, detail: `removed ${m.name || id}` });
  }
  return out;
}

const hubs = new WeakMap<Member, FeedHub>();

function hubFor(member: Member, opts: FeedOptions): FeedHub {
  let hub = hubs.get(member);
  if (!hub) {
    hub = new FeedHub(member, opts);
    hubs.set(member, hub);
  }
  return hub;
}

/** Create the member's hub now, so it records Raft events from the member's start. */
export function startFeedHub(member: Member, opts: FeedOptions = {}): void {
  hubFor(member, opts);
}

const encoder = new TextEncoder();

/** The SSE response for one dashboard connection. */
export function feedResponse(member: Member, request: Request, opts: FeedOptions = {}): Response {
  const hub = hubFor(member, opts);
  let unsubscribe: (() => void) | null = null;
  const close = () => {
    unsubscribe?.();
    unsubscribe = null;
  };
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      unsubscribe = hub.subscribe((msg) => {
        try {
          // A tab that stopped reading (frozen, or a stalled network) is dropped rather than
          // buffered without bound; its EventSource reconnects and starts from a fresh hello.
          if ((controller.desiredSize ?? 0) < -MAX_QUEUED_MESSAGES) {
            close();
            controller.close();
            return;
          }
          controller.enqueue(encoder.encode(`event: ${msg.type}\ndata: ${JSON.stringify(msg)}\n\n`));
        } catch {
          close();
        }
      });
      request.signal.addEventListener("abort", () => {
        close();
        try {
          controller.close();
        } catch {
          // already closed by the runtime
        }
      });
    },
    cancel: close,
  });
  return new Response(body, {
    headers: {
      "Content-Type": "text/event-stream",
      "Cache-Control": "no-cache",
      // The page may follow the cluster to another member's origin when its own member dies.
      "Access-Control-Allow-Origin": "*",
      "X-Accel-Buffering": "no",
    },
  });
}
