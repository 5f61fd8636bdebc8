// The simulated network: every message gets a seeded delay (so messages reorder), may be lost
// or duplicated, is dropped on a partitioned link (symmetric or one-way), and is held on a
// clogged link until that link is restored.
import type { SeededRng } from "../../server/raft/rng.ts";
import type { Message } from "../../server/raft/types.ts";
import { MinHeap } from "./heap.ts";

export interface NetworkProfile {
  delayMin: number;
  delayMax: number;
  lossRate: number;
  duplicateRate: number;
}

interface InFlight {
  due: number;
  seq: number;
  message: Message;
}

/** Bound on messages held on clogged links, so a long clog cannot grow memory without limit. */
const MAX_HELD_PER_LINK = 2000;

function link(from: string, to: string): string {
  return `${from}>${to}`;
}

export function cloneMessage(m: Message): Message {
  // Receivers mutate messages (forwarding, stamping proposals); a real transport copies too.
  return { ...m, entries: m.entries.length === 0 ? [] : m.entries.map((e) => ({ ...e })) };
}

export class SimNetwork {
  private readonly queue = new MinHeap<InFlight>();
  private seq = 0;
  private readonly blocked = new Set<string>();
  private readonly clogged = new Map<string, Message[]>();
  /** Snapshot messages that never arrived; the sim reports them to the sender as the transport would. */
  lostSnapshots: Message[] = [];
  sent = 0;
  dropped = 0;
  duplicated = 0;

  constructor(
    private readonly rng: SeededRng,
    public profile: NetworkProfile,
  ) {}

  send(m: Message, now: number): void {
    this.sent++;
    const key = link(m.from, m.to);
    if (this.blocked.has(key)) {
      this.drop(m);
      return;
    }
    const held = this.clogged.get(key);
    if (held) {
      if (held.length < MAX_HELD_PER_LINK) held.push(m);
      else this.drop(m);
      return;
    }
    this.enqueue(m, now);
  }

  private enqueue(m: Message, now: number): void {
    const p = this.profile;
    if (this.rng.chance(p.lossRate)) {
      this.drop(m);
      return;
    }
    this.queue.push({ due: now + this.rng.between(p.delayMin, p.delayMax), seq: this.seq++, message: m });
    if (this.rng.chance(p.duplicateRate)) {
      this.duplicated++;
      this.queue.push({ due: now + this.rng.between(p.delayMin, p.delayMax), seq: this.seq++, message: m });
    }
  }

  /** The next message due at or before `now`, as a private copy for the receiver. */
  nextDue(now: number): Message | undefined {
    const head = this.queue.peek();
    if (!head || head.due > now) return undefined;
    this.queue.pop();
    // A partition cuts messages already on the wire too.
    if (this.blocked.has(link(head.message.from, head.message.to))) {
      this.drop(head.message);
      return this.nextDue(now);
    }
    return cloneMessage(head.message);
  }

  drop(m: Message): void {
    this.dropped++;
    if (m.snapshot) this.lostSnapshots.push(m);
  }

  block(from: string, to: string): void {
    this.blocked.add(link(from, to));
  }

  unblock(from: string, to: string): void {
    this.blocked.delete(link(from, to));
  }

  isBlocked(from: string, to: string): boolean {
    return this.blocked.has(link(from, to));
  }

  blockedLinks(): string[] {
    return [...this.blocked];
  }

  clog(from: string, to: string): void {
    const key = link(from, to);
    if (!this.clogged.has(key)) this.clogged.set(key, []);
  }

  /** Releases a clogged link; the held messages go out now, in order, with fresh delays. */
  unclog(from: string, to: string, now: number): void {
    const key = link(from, to);
    const held = this.clogged.get(key);
    if (!held) return;
    this.clogged.delete(key);
    for (const m of held) this.enqueue(m, now);
  }

  cloggedLinks(): Array<[string, string]> {
    return [...this.clogged.keys()].map((k) => k.split(">") as [string, string]);
  }

  healAll(now: number): void {
    this.blocked.clear();
    for (const [from, to] of this.cloggedLinks()) this.unclog(from, to, now);
  }
}
