// A registered watch as the API sees it: a queue of events read with next(). Events from
// history replay are queued up front; live events are bounded so a stalled reader is dropped
// instead of stalling apply.
import type { EventJSON, Watcher } from "./types.ts";

/** Live events a watcher may hold unread before it is dropped (etcd's channel size). */
export const WATCHER_BUFFER_EVENTS = 100;

export interface WatcherSpec {
  key: string;
  recursive: boolean;
  stream: boolean;
  /** Events with a lower index are not delivered. */
  sinceIndex: number;
  startIndex: number;
}

export class StoreWatcher implements Watcher {
  readonly key: string;
  readonly recursive: boolean;
  readonly stream: boolean;
  readonly sinceIndex: number;
  readonly startIndex: number;
  /** Set by the hub while registered; called once to unregister. */
  detach: (() => void) | null = null;

  private queue: EventJSON[];
  private head = 0;
  private replayLeft: number;
  private ended = false;
  private waiters: ((e: EventJSON | null) => void)[] = [];

  constructor(spec: WatcherSpec, replay: EventJSON[]) {
    this.key = spec.key;
    this.recursive = spec.recursive;
    this.stream = spec.stream;
    this.sinceIndex = spec.sinceIndex;
    this.startIndex = spec.startIndex;
    this.queue = replay;
    this.replayLeft = replay.length;
    // A one-shot watch answered from history never needs to hear about the future.
    if (!spec.stream && replay.length > 0) this.ended = true;
  }

  get isEnded(): boolean {
    return this.ended;
  }

  /** Hand over a live event; never blocks. Returns false once the watcher wants no more. */
  deliver(e: EventJSON): boolean {
    if (this.ended) return false;
    const waiter = this.waiters.shift();
    if (waiter !== undefined) {
      waiter(e);
    } else if (this.queue.length - this.head - this.replayLeft >= WATCHER_BUFFER_EVENTS) {
      this.remove();
      return false;
    } else {
      this.queue.push(e);
    }
    if (!this.stream) this.end();
    return !this.ended;
  }

  next(): Promise<EventJSON | null> {
    if (this.head < this.queue.length) {
      const e = this.queue[this.head++]!;
      if (this.replayLeft > 0) this.replayLeft--;
      if (this.head > 64 && this.head * 2 > this.queue.length) {
        this.queue = this.queue.slice(this.head);
        this.head = 0;
      }
      return Promise.resolve(e);
    }
    if (this.ended) return Promise.resolve(null);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  remove(): void {
    this.queue = [];
    this.head = 0;
    this.replayLeft = 0;
    this.end();
  }

  private end(): void {
    if (this.ended && this.detach === null) return;
    this.ended = true;
    const detach = this.detach;
    this.detach = null;
    detach?.();
    for (const w of this.waiters.splice(0)) w(null);
  }
}
