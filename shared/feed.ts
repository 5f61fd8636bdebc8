// The dashboard's live feed: one Server-Sent Events stream per browser tab, served by every
// member at FEED_PATH. Each SSE message carries `event: <type>` and `data: <FeedMessage JSON>`.
// Everything a member cannot know yet is null (never a guessed number), so the page can say
// "not available" instead of drawing something false.

export const FEED_PATH = "/dashboard/feed";

/** Raft role as the dashboard shows it. null: the member has no Raft (or cannot say). */
export type FeedRole = "leader" | "follower" | "candidate" | "pre-candidate";

export type PeerHealth = "healthy" | "unreachable" | "unknown";

/** One member of the cluster as this member sees it. */
export interface FeedMember {
  id: string;
  name: string;
  clientURLs: string[];
  peerURLs: string[];
  isLeader: boolean;
  isSelf: boolean;
  /** Highest log index known replicated to this member (known on the leader only). */
  matchIndex: number | null;
  /** commitIndex - matchIndex, clamped at 0; null when matchIndex is unknown. */
  lag: number | null;
  /** Leader's replication state for this follower (probe / replicate / snapshot). */
  progressState: "probe" | "replicate" | "snapshot" | null;
  health: PeerHealth;
  /** Last heartbeat / append round trip seen by the leader, in milliseconds. */
  rttMs: number | null;
}

export interface FeedWatch {
  key: string;
  recursive: boolean;
  count: number;
}

/** Sampled once per FeedStatus; rates are per second over the last sampling interval. */
export interface FeedRates {
  requestsPerSec: number;
  writesPerSec: number;
  /** Median propose→apply latency over the interval; null when not measured or no writes. */
  commitLatencyMsP50: number | null;
  commitLatencyMsP99: number | null;
}

export interface FeedStatus {
  /** Milliseconds since the Unix epoch when sampled. */
  atMs: number;
  self: { id: string; name: string; clusterId: string };
  role: FeedRole | null;
  term: number;
  /** null during an election. */
  leaderId: string | null;
  commitIndex: number;
  /** Raft applied index; null when the member cannot tell it apart from commitIndex. */
  appliedIndex: number | null;
  /** The v2 store index (X-Etcd-Index). */
  storeIndex: number;
  members: FeedMember[];
  rates: FeedRates;
  /** Open watches on this member, grouped by key. The feed's own store watch is excluded. */
  watches: FeedWatch[];
  /** What this member can report; the page greys out the rest. */
  capabilities: FeedCapabilities;
}

export interface FeedCapabilities {
  progress: boolean;
  appliedIndex: boolean;
  raftLog: boolean;
  commitLatency: boolean;
  /** Raft events come from the member itself (snapshots included), not from status diffs. */
  raftEvents: boolean;
}

export type RaftEventKind =
  | "election" // a new term started (a campaign)
  | "leader-change" // a leader was elected, or the leader was lost (leaderId null)
  | "snapshot" // a snapshot was taken or installed
  | "member-added"
  | "member-removed"
  | "member-updated";

export interface RaftEvent {
  kind: RaftEventKind;
  atMs: number;
  term: number;
  /** Log index the event refers to (snapshot index, conf change index); null when not known. */
  index: number | null;
  leaderId?: string | null;
  memberId?: string;
  /** A short human sentence, e.g. "snapshot at 10000 (3.2 KiB)". */
  detail: string;
}

/** A committed change to the key space (a store event), summarized. */
export interface StoreChange {
  atMs: number;
  action: string;
  /** User-visible key (namespace prefix removed). */
  key: string;
  dir: boolean;
  modifiedIndex: number;
  /** Truncated to a few hundred characters. */
  value?: string;
}

export type LogEntryKind = "normal" | "conf-change" | "noop";

export interface LogEntrySummary {
  index: number;
  term: number;
  kind: LogEntryKind;
  /** e.g. "PUT /foo value=bar ttl=5", "SYNC", "add member 8e9e05c52164694d". */
  summary: string;
}

export type FeedMessage =
  /** First message on every connection: everything needed to draw the page at once. */
  | {
      type: "hello";
      status: FeedStatus;
      raftEvents: RaftEvent[];
      storeChanges: StoreChange[];
      log: LogEntrySummary[];
      /** Sampling interval of `status` messages. */
      intervalMs: number;
    }
  | { type: "status"; status: FeedStatus }
  | { type: "raft"; event: RaftEvent }
  | { type: "store"; change: StoreChange }
  /** The newest log entries since the previous `log` message (newest last). */
  | { type: "log"; entries: LogEntrySummary[] };

export type FeedMessageType = FeedMessage["type"];

/** Bounds of what the feed keeps in memory and replays in `hello`. */
export const FEED_LIMITS = {
  raftEvents: 200,
  storeChanges: 200,
  logEntries: 100,
} as const;
