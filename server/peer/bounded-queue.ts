// A FIFO bounded by message count and by approximate bytes; pushing past either bound drops
// the oldest entries (Raft retransmits what matters) and says how many went.
import type { Message } from "../raft/types.ts";

/** Sizes a message for the byte bound; tolerant of malformed messages, which the encoder drops later. */
export function approxBytes(m: Message): number {
  let n = 48;
  for (const e of m?.entries ?? []) n += (e?.data?.length ?? 0) + 12;
  return n;
}

export class BoundedQueue {
  private items: (Message | undefined)[] = [];
  private sizes: number[] = [];
  private head = 0;
  private bytes = 0;

  constructor(private readonly bounds: { messagesMax: number; bytesMax: number }) {}

  get length(): number {
    return this.items.length - this.head;
  }

  get queuedBytes(): number {
    return this.bytes;
  }

  /** Appends and returns how many of the oldest messages were dropped to stay within bounds. */
  push(m: Message): number {
    const size = approxBytes(m);
    this.items.push(m);
    this.sizes.push(size);
    this.bytes += size;
    let dropped = 0;
    // The newest message always stays, even alone above the byte bound.
    while (this.length > 1 && (this.length > this.bounds.messagesMax || this.bytes > this.bounds.bytesMax)) {
      this.dropHead();
      dropped++;
    }
    this.compact();
    return dropped;
  }

  /** Takes from the front up to `messagesMax` messages or about `bytesTarget` bytes (at least one). */
  take(opts: { messagesMax: number; bytesTarget: number }): Message[] {
    const out: Message[] = [];
    let bytes = 0;
    while (this.length > 0 && out.length < opts.messagesMax && (out.length === 0 || bytes < opts.bytesTarget)) {
      bytes += this.sizes[this.head]!;
      out.push(this.items[this.head]!);
      this.dropHead();
    }
    this.compact();
    return out;
  }

  clear(): void {
    this.items = [];
    this.sizes = [];
    this.head = 0;
    this.bytes = 0;
  }

  private dropHead(): void {
    this.bytes -= this.sizes[this.head]!;
    this.items[this.head] = undefined;
    this.head++;
  }

  /** Keeps the arrays from growing without bound as the head advances. */
  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.sizes = this.sizes.slice(this.head);
      this.head = 0;
    }
  }
}
