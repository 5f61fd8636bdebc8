// What the dashboard's feed needs from a member beyond the client API's `Member` interface.
// A member opts in by having an `introspect()` method; every part is optional, and the feed
// reports what is missing (FeedCapabilities) instead of inventing numbers. The single in-memory
// member implements none of it; the Raft-backed member is expected to implement all of it,
// mostly by forwarding raft `status()` and its own apply loop.
import type { EventJSON } from "../../shared/v2.ts";
import type { FeedRole, LogEntrySummary, PeerHealth, RaftEvent } from "../../shared/feed.ts";
import type { Member } from "./types.ts";
import type { V2Request } from "../store/types.ts";

/** The leader's view of one follower (etcd-io/raft Progress), plus transport health. */
export interface PeerProgress {
  id: string;
  matchIndex: number;
  nextIndex: number;
  state: "probe" | "replicate" | "snapshot";
  /** Heard from within the last election timeout (raft recentActive). */
  recentActive: boolean;
  health: PeerHealth;
  /** Last measured round trip to this peer, milliseconds; null before the first one. */
  rttMs: number | null;
}

export interface MemberIntrospection {
  /** Current Raft role; null if the member has no Raft. */
  role?(): FeedRole | null;
  /** Raft applied index (<= commit index). */
  appliedIndex?(): number;
  /**
   * Per-follower replication progress. Only the leader knows it: return null on followers.
   * The leader's own entry may be included (matchIndex = its last index) or omitted.
   */
  progress?(): PeerProgress[] | null;
  /**
   * Log entries with index > afterIndex still held in the log (not compacted), oldest first,
   * at most `limit`, already summarized (see summarizeRequest).
   */
  logEntries?(afterIndex: number, opts: { limit: number }): LogEntrySummary[];
  /**
   * Subscribe to Raft events (elections, leader changes, snapshots, membership changes) as the
   * member observes them. Returns the unsubscribe function. When present, the feed stops
   * deriving elections/leader changes from status diffs.
   */
  onRaftEvent?(listener: (event: RaftEvent) => void): () => void;
  /**
   * Subscribe to every applied store event (store namespace paths, e.g. "/1/foo"). Lets the feed
   * show recent changes without registering a store watcher (which would be counted in
   * /v2/stats/store "watchers"). Returns the unsubscribe function.
   */
  onStoreEvent?(listener: (event: EventJSON) => void): () => void;
  /**
   * Propose→apply latency of recent writes on this member (the last second or so, member's
   * choice), in milliseconds; null when no write completed recently.
   */
  commitLatencyMs?(): { p50: number; p99: number } | null;
}

export interface IntrospectableMember extends Member {
  introspect(): MemberIntrospection;
}

export function isIntrospectable(member: Member): member is IntrospectableMember {
  return typeof (member as Partial<IntrospectableMember>).introspect === "function";
}

const VALUE_PREVIEW_CHARS = 40;

/** A one-line description of a logged store request, for the Log view. */
export function summarizeRequest(req: V2Request): string {
  switch (req.method) {
    case "SYNC":
      return "SYNC (expire TTL keys)";
    case "QGET":
      return `QGET ${userKey(req.path)}${req.recursive ? " recursive" : ""}`;
    case "DELETE": {
      const conds = [
        req.dir ? "dir" : "",
        req.recursive ? "recursive" : "",
        req.prevValue !== undefined ? `prevValue=${preview(req.prevValue)}` : "",
        req.prevIndex ? `prevIndex=${req.prevIndex}` : "",
      ];
      return [`DELETE ${userKey(req.path)}`, ...conds].filter(Boolean).join(" ");
    }
    case "POST":
    case "PUT": {
      const ttlSecs = req.expireAtUs === null ? null : Math.ceil((req.expireAtUs - req.nowUs) / 1e6);
      const parts = [
        `${req.method} ${userKey(req.path)}`,
        req.dir ? "dir" : `value=${preview(req.value)}`,
        ttlSecs === null ? "" : `ttl=${ttlSecs}`,
      ];
      if (req.method === "PUT") {
        if (req.prevExist !== undefined) parts.push(`prevExist=${req.prevExist}`);
        if (req.prevValue !== undefined) parts.push(`prevValue=${preview(req.prevValue)}`);
        if (req.prevIndex) parts.push(`prevIndex=${req.prevIndex}`);
        if (req.refresh) parts.push("refresh");
      }
      return parts.filter(Boolean).join(" ");
    }
  }
}

/** The client API keeps user keys under "/1" and cluster data under "/0" (as etcd v2 does). */
export function userKey(storePath: string): string {
  if (storePath === "/1") return "/";
  if (storePath.startsWith("/1/")) return storePath.slice(2);
  return storePath;
}

function preview(value: string): string {
  const shown = value.length > VALUE_PREVIEW_CHARS ? `${value.slice(0, VALUE_PREVIEW_CHARS)}…` : value;
  return JSON.stringify(shown);
}
