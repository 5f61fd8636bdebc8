// The last 1000 events, in index order, for watches that start in the past.
import { isAtOrBelow } from "./path.ts";
import type { EventJSON } from "./types.ts";

export const HISTORY_CAPACITY = 1000;

export interface HistoryEntry {
  index: number;
  event: EventJSON;
  /** Refresh events keep their index but are invisible to watchers. */
  refresh: boolean;
}

/** Key of the node an event is about ("/" when the key is omitted, i.e. the root). */
export function eventKey(e: EventJSON): string {
  return e.node?.key ?? "/";
}

/** Whether a watch on `key` wants a recorded event (history replay: hidden keys are not filtered). */
export function historyMatches(entry: HistoryEntry, key: string, recursive: boolean): boolean {
  if (entry.refresh) return false;
  const k = eventKey(entry.event);
  if (k === key || (recursive && isAtOrBelow(k, key))) return true;
  const { action, prevNode } = entry.event;
  // Removing a directory concerns every path below it, existing or not.
  return (action === "delete" || action === "expire") && prevNode?.dir === true && isAtOrBelow(key, k);
}

export class EventHistory {
  private ring: (HistoryEntry | undefined)[] = new Array(HISTORY_CAPACITY);
  private head = 0;
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Index of the oldest kept event; 0 when empty. */
  get startIndex(): number {
    return this.count === 0 ? 0 : this.at(0).index;
  }

  get lastIndex(): number {
    return this.count === 0 ? 0 : this.at(this.count - 1).index;
  }

  add(entry: HistoryEntry): void {
    if (this.count < HISTORY_CAPACITY) {
      this.ring[(this.head + this.count) % HISTORY_CAPACITY] = entry;
      this.count++;
    } else {
      this.ring[this.head] = entry;
      this.head = (this.head + 1) % HISTORY_CAPACITY;
    }
  }

  /** Oldest first. */
  entries(): HistoryEntry[] {
    const out: HistoryEntry[] = [];
    for (let i = 0; i < this.count; i++) out.push(this.at(i));
    return out;
  }

  /** Matching events with index >= sinceIndex, oldest first; stops after `limit`. */
  scan(key: string, opts: { recursive: boolean; sinceIndex: number; limit: number }): EventJSON[] {
    const out: EventJSON[] = [];
    for (let i = this.firstAtOrAfter(opts.sinceIndex); i < this.count && out.length < opts.limit; i++) {
      const entry = this.at(i);
      if (historyMatches(entry, key, opts.recursive)) out.push(entry.event);
    }
    return out;
  }

  private at(i: number): HistoryEntry {
    return this.ring[(this.head + i) % HISTORY_CAPACITY]!;
  }

  /** Position of the first entry with index >= sinceIndex (binary search; indexes ascend). */
  private firstAtOrAfter(sinceIndex: number): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.at(mid).index < sinceIndex) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
