// ReadIndex bookkeeping on the leader (Raft thesis §6.4): each read remembers the commit index
// at arrival and is released once a majority answers a heartbeat carrying its context, proving
// no newer leader existed at that moment.
import type { Message, NodeId } from "./types.ts";

export interface ReadIndexStatus {
  request: Message;
  index: number;
  acks: Set<NodeId>;
}

export function contextKey(context: Uint8Array | undefined): string {
  if (!context || context.length === 0) return "";
  let s = "";
  for (let i = 0; i < context.length; i++) s += String.fromCharCode(context[i]!);
  return s;
}

export class ReadOnly {
  private readonly pending = new Map<string, ReadIndexStatus>();
  private queue: string[] = [];

  /** Bound on queued reads, so a leader that never reaches quorum cannot grow without limit. */
  constructor(private readonly maxPending: number) {}

  /** Returns false when the read was not queued (a duplicate context, or the queue is full). */
  addRequest(index: number, request: Message): boolean {
    const key = contextKey(request.context);
    if (this.pending.has(key) || this.queue.length >= this.maxPending) return false;
    this.pending.set(key, { request, index, acks: new Set() });
    this.queue.push(key);
    return true;
  }

  /** Records that `id` confirmed the heartbeat for `context`; returns who has so far. */
  recvAck(id: NodeId, context: Uint8Array | undefined): Set<NodeId> | undefined {
    const status = this.pending.get(contextKey(context));
    if (!status) return undefined;
    status.acks.add(id);
    return status.acks;
  }

  /** Releases every read queued up to and including the one for `context`. */
  advance(context: Uint8Array | undefined): ReadIndexStatus[] {
    const key = contextKey(context);
    const at = this.queue.indexOf(key);
    if (at < 0) return [];
    const released: ReadIndexStatus[] = [];
    for (const k of this.queue.slice(0, at + 1)) {
      released.push(this.pending.get(k)!);
      this.pending.delete(k);
    }
    this.queue = this.queue.slice(at + 1);
    return released;
  }

  lastPendingContext(): string | undefined {
    return this.queue.at(-1);
  }

  size(): number {
    return this.queue.length;
  }
}
