// Linearizable reads for the member: quorum GETs wait here until Raft confirms a read index
// (ReadIndex, one round for every read waiting when it was asked) and the store has applied it.
import type { ReadState } from "../raft/types.ts";
import { timeoutError } from "./types.ts";

interface ReadCaller {
  resolve(): void;
  reject(e: Error): void;
}

/** One ReadIndex request answering every read that was waiting when it was asked. */
interface ReadWaiter {
  callers: ReadCaller[];
  /** performance.now() of the flush that asked first; the read fails timeoutMs after it. */
  flushedAtMs: number;
  /** Set once Raft answered with a read index; the read completes once applied reaches it. */
  index?: number;
  askedAtMs: number;
}

export interface ReadIndexHost {
  /** Hands Raft a ReadIndex request carrying `ctx` (dropped by Raft while there is no leader). */
  ask(ctx: Uint8Array): void;
  hasLeader(): boolean;
  /** How long a read may wait before it fails with etcd's timeout. */
  timeoutMs(): number;
  /** A request unanswered this long is asked again (it was dropped, or lost with a leader). */
  retryAfterMs(): number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class LinearizableReads {
  private batch: ReadCaller[] = [];
  private readonly waiting = new Map<string, ReadWaiter>();
  private seq = 0;

  constructor(
    /** Makes request contexts unique to this member and run. */
    private readonly prefix: string,
    private readonly host: ReadIndexHost,
  ) {}

  /** Resolves once a read index taken after this call has been applied; the caller pumps. */
  barrier(): Promise<void> {
    return new Promise<void>((resolve, reject) => this.batch.push({ resolve, reject }));
  }

  /**
   * Reads that arrived since the last flush share one ReadIndex round (one heartbeat broadcast),
   * like etcd's linearizable read loop. The index is asked after every one of them began, so it
   * is a valid read point for all.
   */
  flush(): void {
    if (this.batch.length === 0) return;
    const callers = this.batch;
    this.batch = [];
    const id = this.prefix + "r" + (this.seq++).toString(36);
    const now = performance.now();
    this.waiting.set(id, { callers, flushedAtMs: now, askedAtMs: now });
    this.host.ask(encoder.encode(id));
  }

  /**
   * Once a tick, as the member sweeps its proposals' deadlines (no timer per request): reads past
   * their timeout fail, and a request dropped while there was no leader (or lost with one) is
   * asked again.
   */
  tick(): void {
    if (this.waiting.size === 0) return;
    const now = performance.now();
    const flushedBy = now - this.host.timeoutMs();
    // Insertion order is flush order, so the sweep stops at the first read still in time.
    for (const [id, w] of this.waiting) {
      if (w.flushedAtMs > flushedBy) break;
      this.waiting.delete(id);
      for (const c of w.callers) c.reject(timeoutError());
    }
    if (!this.host.hasLeader()) return;
    const staleMs = now - this.host.retryAfterMs();
    for (const [id, w] of this.waiting) {
      if (w.index === undefined && w.askedAtMs < staleMs) {
        w.askedAtMs = now;
        this.host.ask(encoder.encode(id));
      }
    }
  }

  /** A new leader knows nothing of requests asked before it: the next retry asks them all. */
  askAgain(): void {
    for (const w of this.waiting.values()) w.askedAtMs = Number.NEGATIVE_INFINITY;
  }

  /** Raft's answers from a Ready. */
  answered(states: readonly ReadState[]): void {
    for (const rs of states) {
      const w = this.waiting.get(decoder.decode(rs.requestCtx));
      if (w) w.index = rs.index;
    }
  }

  /** Completes every read whose index the store has applied. */
  release(appliedIndex: number): void {
    if (this.waiting.size === 0) return; // every Ready asks, almost always with nothing waiting
    for (const [id, w] of this.waiting) {
      if (w.index !== undefined && w.index <= appliedIndex) {
        this.waiting.delete(id);
        for (const c of w.callers) c.resolve();
      }
    }
  }

  /** Fails every read, waiting or not yet asked. */
  stop(err: Error): void {
    for (const w of this.waiting.values()) for (const c of w.callers) c.reject(err);
    this.waiting.clear();
    for (const c of this.batch.splice(0)) c.reject(err);
  }
}
