// The live feed from the current member, as signals. One EventSource at a time; when it fails
// the page keeps the last known cluster so it can offer the other members.
import { effect, signal } from "@preact/signals";
import {
  FEED_LIMITS,
  FEED_PATH,
  type FeedMessage,
  type FeedStatus,
  type LogEntrySummary,
  type RaftEvent,
  type StoreChange,
} from "../../shared/feed.ts";
import { endpoint } from "./endpoint.ts";
import { appendBounded } from "./history.ts";

export type Connection = "connecting" | "live" | "lost";

/** Samples kept for the charts: two minutes at the default interval. */
export const CHART_SAMPLES = 120;

export const connection = signal<Connection>("connecting");
/** When the connection was lost (ms since epoch), for "lost 12 s ago". */
export const lostSinceMs = signal<number | null>(null);
export const status = signal<FeedStatus | null>(null);
export const statusHistory = signal<FeedStatus[]>([]);
export const raftEvents = signal<RaftEvent[]>([]);
export const storeChanges = signal<StoreChange[]>([]);
export const logEntries = signal<LogEntrySummary[]>([]);

let source: EventSource | null = null;

function handle(msg: FeedMessage): void {
  switch (msg.type) {
    case "hello":
      // Lets tests and curious users see how long the page took to show live data.
      if (performance.getEntriesByName("etcbun:first-hello").length === 0) performance.mark("etcbun:first-hello");
      status.value = msg.status;
      statusHistory.value = [msg.status];
      raftEvents.value = msg.raftEvents;
      storeChanges.value = msg.storeChanges;
      logEntries.value = msg.log;
      return;
    case "status":
      status.value = msg.status;
      statusHistory.value = appendBounded(statusHistory.value, [msg.status], CHART_SAMPLES);
      return;
    case "raft":
      raftEvents.value = appendBounded(raftEvents.value, [msg.event], FEED_LIMITS.raftEvents);
      return;
    case "store":
      storeChanges.value = appendBounded(storeChanges.value, [msg.change], FEED_LIMITS.storeChanges);
      return;
    case "log":
      logEntries.value = appendBounded(logEntries.value, msg.entries, FEED_LIMITS.logEntries);
      return;
  }
}

function connect(base: string): void {
  source?.close();
  connection.value = "connecting";
  const es = new EventSource(`${base}${FEED_PATH}`);
  source = es;
  const onMessage = (e: MessageEvent<string>) => {
    if (source !== es) return;
    connection.value = "live";
    lostSinceMs.value = null;
    handle(JSON.parse(e.data) as FeedMessage);
  };
  for (const type of ["hello", "status", "raft", "store", "log"]) es.addEventListener(type, onMessage as EventListener);
  es.onerror = () => {
    if (source !== es) return;
    // EventSource retries by itself; until it succeeds the member counts as lost.
    if (connection.value !== "lost") lostSinceMs.value = Date.now();
    connection.value = "lost";
  };
}

effect(() => connect(endpoint.value));

/**
 * Only the leader knows every member's replication progress. When the page talks to a follower
 * it also listens to the leader's feed (CORS allows it) and borrows that part of the picture.
 */
export const leaderStatus = signal<FeedStatus | null>(null);
let leaderSource: EventSource | null = null;
let leaderFeedURL = "";

effect(() => {
  const s = status.value;
  const leader = s && s.role !== "leader" ? s.members.find((m) => m.isLeader && !m.isSelf) : undefined;
  const url = leader?.clientURLs[0] ? `${leader.clientURLs[0].replace(/\/+$/, "")}${FEED_PATH}` : "";
  if (url === leaderFeedURL) return;
  leaderSource?.close();
  leaderSource = null;
  leaderStatus.value = null;
  leaderFeedURL = url;
  if (!url) return;
  const es = new EventSource(url);
  leaderSource = es;
  const onStatus = (e: MessageEvent<string>) => {
    const msg = JSON.parse(e.data) as FeedMessage;
    if (leaderSource === es && (msg.type === "hello" || msg.type === "status")) leaderStatus.value = msg.status;
  };
  es.addEventListener("hello", onStatus as EventListener);
  es.addEventListener("status", onStatus as EventListener);
  es.onerror = () => {
    if (leaderSource === es) leaderStatus.value = null;
  };
});
