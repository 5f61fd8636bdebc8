// Concurrent clients doing quorum reads, writes, compare-and-swaps and deletes on a few keys at a
// time, recording every operation with invoke and completion times and its outcome. A key is
// retired after a fixed number of operations and a fresh one takes its place (as Jepsen's
// independent keys do): each key's history stays small enough to check however long the run.
import { perform } from "./client.ts";
import type { KeyOp, OpKind } from "./history.ts";

export interface RecorderOptions {
  prefix: string;
  clients: number;
  /** Keys in use at once. */
  activeKeys: number;
  /** Operations on one key before it is retired. */
  opsPerKey: number;
  requestTimeoutMs: number;
  random(): number;
  /** Client URLs of the members a client may talk to now (changes as members come and go). */
  endpoints(): { name: string; url: string }[];
}

export class Recorder {
  readonly ops: KeyOp[] = [];
  /** Requests never sent (no member running), left out of the history. */
  notSent = 0;
  private stopped = false;
  private nextId = 0;
  private readonly slots: { key: string; used: number }[] = [];
  private keyCount = 0;
  /** Every key ever used, for the final reads. */
  readonly keys: string[] = [];
  private readonly recentValues = new Map<string, string[]>();

  constructor(private readonly opts: RecorderOptions) {
    for (let i = 0; i < opts.activeKeys; i++) this.slots.push({ key: this.freshKey(), used: 0 });
  }

  private freshKey(): string {
    const key = `${this.opts.prefix}/k${this.keyCount++}`;
    this.keys.push(key);
    return key;
  }

  private pickKey(): string {
    const slot = this.slots[Math.floor(this.opts.random() * this.slots.length)]!;
    if (++slot.used > this.opts.opsPerKey) {
      slot.key = this.freshKey();
      slot.used = 1;
    }
    return slot.key;
  }

  private pickEndpoint(client: number): { name: string; url: string } | null {
    const eps = this.opts.endpoints();
    if (eps.length === 0) return null;
    // Mostly sticky per client, sometimes elsewhere: requests land on leaders and followers alike.
    const i = this.opts.random() < 0.8 ? client % eps.length : Math.floor(this.opts.random() * eps.length);
    return eps[i]!;
  }

  private plan(client: number, seq: number): Pick<KeyOp, "kind" | "key" | "value" | "expected"> {
    const key = this.pickKey();
    const r = this.opts.random();
    const kind: OpKind = r < 0.4 ? "read" : r < 0.65 ? "write" : r < 0.9 ? "cas" : "delete";
    const value = `c${client}-${seq}`;
    if (kind === "write") return { kind, key, value };
    if (kind === "cas") {
      const recent = this.recentValues.get(key) ?? [];
      const expected = recent.length > 0 ? recent[Math.floor(this.opts.random() * recent.length)]! : "none";
      return { kind, key, value, expected };
    }
    return { kind, key };
  }

  /** Runs one operation now and records it. */
  async run(client: number, op: Pick<KeyOp, "kind" | "key" | "value" | "expected">): Promise<KeyOp> {
    const ep = this.pickEndpoint(client);
    const invokeMs = performance.now();
    const answer = ep ? await perform(op, ep.url, { timeoutMs: this.opts.requestTimeoutMs }) : { outcome: "unknown" as const, notSent: true };
    const completeMs = performance.now();
    if (answer.notSent) {
      // Never reached a server: not part of the history (it would only widen the search).
      this.notSent++;
      return { id: -1, client, ...op, outcome: "unknown", invokeMs, completeMs: Infinity, note: "not sent" };
    }
    const rec: KeyOp = { id: this.nextId++, client, ...op, outcome: answer.outcome, invokeMs, completeMs, member: ep?.name };
    if (answer.result !== undefined) rec.result = answer.result;
    if (answer.note) rec.note = answer.note;
    this.ops.push(rec);
    const seen = op.value !== undefined ? op.value : rec.result;
    if (seen) this.recentValues.set(op.key, [...(this.recentValues.get(op.key) ?? []).slice(-3), seen]);
    return rec;
  }

  async start(): Promise<void> {
    await Promise.all(
      Array.from({ length: this.opts.clients }, async (_, client) => {
        for (let seq = 0; !this.stopped; seq++) {
          const rec = await this.run(client, this.plan(client, seq));
          // No answer: back off so a dead member is not hammered, and unknown outcomes (which
          // widen the checker's search) stay few.
          if (rec.outcome === "unknown") await Bun.sleep(200 + this.opts.random() * 300);
        }
      }),
    );
  }

  stop(): void {
    this.stopped = true;
  }

  /** A quorum read of every key used, after healing: makes lost writes visible to the checker. */
  async finalReads(client: number): Promise<void> {
    for (const key of this.keys) {
      for (let attempt = 0; attempt < 20; attempt++) {
        if ((await this.run(client, { kind: "read", key })).outcome === "ok") break;
        await Bun.sleep(250);
      }
    }
  }
}
