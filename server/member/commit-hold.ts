// The leader's entry-less appends, held a moment. A leader tells followers of every commit with an
// append that carries no entries. Under load the next append, a moment later, carries the new
// commit index anyway; so an entry-less append waits up to `delayMs` and is dropped when another
// append to that follower leaves first; never when it commits proposals that follower forwarded
// (its clients wait on it). Raft is safe under delayed and lost messages (heartbeats resend the
// commit index, and an entry-less probe is only delayed); this saves each follower a frame, a
// wake-up and a Ready per commit under load. The delay counts from when that follower's append was
// first held: under steady load each held commit is replaced by the next append well within it, so
// nothing is released at all, and the last commit of a burst leaves `delayMs` after it was made.
// The member asks for no hold when no more appends are coming (nothing in flight, as after a lone
// client's write): then the commit leaves at once, as etcd sends it.
import { type Message, type NodeId, MessageType } from "../raft/types.ts";

export class CommitOnlyHold {
  private readonly held = new Map<NodeId, { message: Message; sinceMs: number }>();
  /** Per follower: the last index of proposals it forwarded to us that it has not seen committed. */
  private readonly forwardedUpTo = new Map<NodeId, number>();
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly delayMs: number,
    /** Sends what was held once the delay passes. */
    private readonly release: (messages: Message[]) => void,
    private readonly nowMs: () => number = () => performance.now(),
  ) {}

  /** `from` forwarded proposals that now end our log at `lastIndex`. */
  forwarded(from: NodeId, lastIndex: number): void {
    this.forwardedUpTo.set(from, lastIndex);
  }

  /** Returns the messages to send now; holds the rest, only when `mayHold` (more appends are coming). */
  filter(messages: Message[], mayHold = true): Message[] {
    const now: Message[] = [];
    for (const m of messages) if (this.sendsNow(m, mayHold)) now.push(m);
    if (this.held.size > 0 && this.timer === null) this.timer = setTimeout(this.releaseHeld, this.delayMs);
    return now;
  }

  private sendsNow(m: Message, mayHold: boolean): boolean {
    if (m.type !== MessageType.App) return true;
    const forwarded = this.forwardedUpTo.get(m.to);
    const answersForwarded = forwarded !== undefined && m.commit >= forwarded;
    if (answersForwarded) this.forwardedUpTo.delete(m.to);
    if (m.entries.length > 0 || answersForwarded || !mayHold) {
      this.held.delete(m.to);
      return true;
    }
    const held = this.held.get(m.to);
    if (held !== undefined) held.message = m; // a newer commit index, still due when the first one was
    else this.held.set(m.to, { message: m, sinceMs: this.nowMs() });
    return false;
  }

  // Bound once: the timer runs (about once per delay) for as long as something is held.
  private readonly releaseHeld = (): void => {
    this.timer = null;
    const now = this.nowMs();
    const due: Message[] = [];
    let nextDueMs = Infinity;
    for (const [to, h] of this.held) {
      const dueMs = h.sinceMs + this.delayMs;
      if (dueMs <= now) {
        due.push(h.message);
        this.held.delete(to);
      } else nextDueMs = Math.min(nextDueMs, dueMs);
    }
    if (nextDueMs !== Infinity) this.timer = setTimeout(this.releaseHeld, nextDueMs - now);
    if (due.length > 0) this.release(due);
  };

  /** A member removed for good (IDs are never reused). */
  forget(id: NodeId): void {
    this.forwardedUpTo.delete(id);
    this.held.delete(id);
  }

  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.held.clear();
  }
}
