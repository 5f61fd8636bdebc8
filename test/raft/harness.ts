// A tiny deterministic cluster for paper-level tests: Raft instances over MemoryStorage, with
// messages delivered one by one (or held, or dropped) under the test's control.
import { MemoryStorage } from "../../server/raft/memory_storage.ts";
import { makeMessage } from "../../server/raft/message.ts";
import { Raft, type RaftConfig } from "../../server/raft/raft.ts";
import { SeededRng } from "../../server/raft/rng.ts";
import { type Entry, type Message, EntryType, MessageType } from "../../server/raft/types.ts";

export type Tuning = Partial<Omit<RaftConfig, "id" | "storage" | "rng">>;

export function newRaft(id: string, voters: string[], options: Tuning & { storage?: MemoryStorage; seed?: number } = {}): Raft {
  const { storage, seed, ...tuning } = options;
  return new Raft({
    id,
    storage: storage ?? new MemoryStorage({ confState: { voters, learners: [] } }),
    rng: new SeededRng(seed ?? Number.parseInt(id, 16)),
    electionTimeoutTicks: 10,
    heartbeatIntervalTicks: 1,
    checkQuorum: false,
    preVote: false,
    ...tuning,
  });
}

export function entry(index: number, term: number, text = ""): Entry {
  return { index, term, type: EntryType.Normal, data: new TextEncoder().encode(text) };
}

/** Storage pre-filled with `terms[i]` as the term of entry i + 1. */
export function storageWithLog(voters: string[], terms: number[]): MemoryStorage {
  const s = new MemoryStorage({ confState: { voters, learners: [] } });
  s.append(terms.map((t, i) => entry(i + 1, t)));
  return s;
}

export class Cluster {
  readonly nodes = new Map<string, Raft>();
  private readonly cut = new Set<string>();
  /** Messages the test chose to hold instead of delivering. */
  held: Message[] = [];
  /** When set, matching messages are held rather than delivered. */
  hold: ((m: Message) => boolean) | undefined;
  delivered: Message[] = [];

  /** `logs` pre-fills logs by term per index; `terms` sets a node's current term (commit 1). */
  constructor(ids: string[], options: Tuning & { logs?: Record<string, number[]>; terms?: Record<string, number> } = {}) {
    const { logs, terms, ...tuning } = options;
    for (const id of ids) {
      const storage = storageWithLog(ids, logs?.[id] ?? []);
      const term = terms?.[id];
      if (term !== undefined) storage.setHardState({ term, vote: "", commit: Math.min(1, storage.lastIndex()) });
      this.nodes.set(id, newRaft(id, ids, { ...tuning, storage }));
    }
  }

  get(id: string): Raft {
    return this.nodes.get(id)!;
  }

  isolate(id: string): void {
    for (const other of this.nodes.keys()) {
      if (other === id) continue;
      this.cut.add(`${id}>${other}`);
      this.cut.add(`${other}>${id}`);
    }
  }

  cutLink(from: string, to: string): void {
    this.cut.add(`${from}>${to}`);
  }

  heal(): void {
    this.cut.clear();
  }

  /** Steps a local message into `id`, then delivers everything that follows until quiet. */
  stepLocal(id: string, fields: Partial<Message> & { type: MessageType }): void {
    this.get(id).step(makeMessage({ from: id, ...fields }));
    this.flush();
  }

  campaign(id: string): void {
    this.stepLocal(id, { type: MessageType.Hup });
  }

  propose(id: string, text: string): void {
    this.stepLocal(id, { type: MessageType.Prop, entries: [entry(0, 0, text)] });
  }

  /** Delivers all outstanding messages (and their consequences) in FIFO order. */
  flush(): void {
    const queue: Message[] = [];
    const collect = () => {
      for (const r of this.nodes.values()) {
        if (r.msgs.length > 0) {
          queue.push(...r.msgs);
          r.msgs = [];
        }
      }
    };
    collect();
    while (queue.length > 0) {
      const m = queue.shift()!;
      if (this.cut.has(`${m.from}>${m.to}`)) continue;
      if (this.hold?.(m)) {
        this.held.push(m);
        continue;
      }
      const to = this.nodes.get(m.to);
      if (!to) continue;
      this.delivered.push(m);
      to.step(m);
      collect();
    }
  }

  /** Releases held messages (optionally only some) and delivers them. */
  release(filter: (m: Message) => boolean = () => true): void {
    const out = this.held.filter(filter);
    this.held = this.held.filter((m) => !filter(m));
    for (const m of out) {
      const to = this.nodes.get(m.to);
      if (to && !this.cut.has(`${m.from}>${m.to}`)) to.step(m);
    }
    this.flush();
  }

  tick(id: string, times = 1): void {
    for (let i = 0; i < times; i++) {
      this.get(id).tick();
      this.flush();
    }
  }

  /** Term of each entry in `id`'s log, from index 1. */
  terms(id: string): number[] {
    const log = this.get(id).raftLog;
    const out: number[] = [];
    for (let i = 1; i <= log.lastIndex(); i++) out.push(log.termOrZero(i));
    return out;
  }
}
