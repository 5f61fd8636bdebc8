// What a member tells its observers (the dashboard feed): Raft events, applied store events and
// recent propose→apply latencies. Observers must never break the run loop, so a listener that
// throws is logged and the others still hear the event.
import type { RaftEvent, RaftEventKind } from "../../shared/feed.ts";
import type { EventJSON } from "../store/types.ts";
import type { ProgressStatus } from "../raft/status.ts";
import type { PeerStats } from "../peer/types.ts";
import type { PeerProgress } from "./introspect.ts";

/**
 * Propose→apply latencies kept. A bound, not a second's worth: above about 2,000 writes a second
 * the window holds the latest 1,024-2,048 of them.
 */
const COMMIT_LATENCIES_MAX = 2048;
const COMMIT_LATENCY_WINDOW_MS = 1000;

export interface RaftEventFields {
  kind: RaftEventKind;
  detail: string;
  index?: number;
  memberId?: string;
}

export class MemberObservers {
  private readonly raftListeners = new Set<(e: RaftEvent) => void>();
  private readonly storeListeners = new Set<(e: EventJSON) => void>();
  private commitLatencies: { atMs: number; ms: number }[] = [];

  constructor(private readonly log: (line: string) => void) {}

  onRaftEvent(listener: (e: RaftEvent) => void): () => void {
    this.raftListeners.add(listener);
    return () => this.raftListeners.delete(listener);
  }

  onStoreEvent(listener: (e: EventJSON) => void): () => void {
    this.storeListeners.add(listener);
    return () => this.storeListeners.delete(listener);
  }

  /** `status` is only read when someone listens. */
  raftEvent(fields: RaftEventFields, status: () => { term: number; lead: string }): void {
    if (this.raftListeners.size === 0) return;
    const st = status();
    const ev: RaftEvent = {
      kind: fields.kind,
      atMs: Date.now(),
      term: st.term,
      index: fields.index ?? null,
      leaderId: st.lead === "" ? null : st.lead,
      memberId: fields.memberId,
      detail: fields.detail,
    };
    this.notify(this.raftListeners, ev, "raft");
  }

  storeEvent(event: EventJSON): void {
    this.notify(this.storeListeners, event, "store");
  }

  private notify<E>(listeners: Set<(e: E) => void>, event: E, what: string): void {
    for (const l of listeners) {
      try {
        l(event);
      } catch (err) {
        this.log(`etcbun: ${what} event listener failed: ${(err as Error).message}`);
      }
    }
  }

  commitApplied(latencyMs: number): void {
    this.commitLatencies.push({ atMs: Date.now(), ms: latencyMs });
    if (this.commitLatencies.length > COMMIT_LATENCIES_MAX) this.commitLatencies.splice(0, COMMIT_LATENCIES_MAX / 2);
  }

  /** p50 and p99 of the kept propose→apply latencies from the last second; null when there are none. */
  commitLatencyMs(): { p50: number; p99: number } | null {
    const since = Date.now() - COMMIT_LATENCY_WINDOW_MS;
    const xs = this.commitLatencies.filter((c) => c.atMs >= since).map((c) => c.ms).sort((a, b) => a - b);
    if (xs.length === 0) return null;
    return { p50: xs[Math.floor(xs.length * 0.5)]!, p99: xs[Math.min(xs.length - 1, Math.floor(xs.length * 0.99))]! };
  }
}

/** The leader's per-follower progress as the dashboard shows it, with each peer stream's health. */
export function peerProgress(
  progress: Record<string, ProgressStatus>,
  opts: { selfId: string; streams: readonly PeerStats[] },
): PeerProgress[] {
  const streams = new Map(opts.streams.map((s) => [s.id, s]));
  return Object.entries(progress).map(([id, p]): PeerProgress => {
    const s = streams.get(id);
    return {
      id,
      matchIndex: p.match,
      nextIndex: p.next,
      state: String(p.state).toLowerCase().replace("state", "") as PeerProgress["state"],
      recentActive: p.recentActive,
      health: id === opts.selfId ? "healthy" : s ? (s.connected ? "healthy" : "unreachable") : "unknown",
      rttMs: s?.rttMs ?? null,
    };
  });
}
