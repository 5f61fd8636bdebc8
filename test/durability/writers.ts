// Concurrent keep-alive clients writing through the v2 API: mostly PUTs of fresh keys, some
// compare-and-swaps on one counter key per client, some deletes of the client's earlier keys.
// Every answer goes into the ledger: acknowledged, or in doubt when the connection died first.
import { SeededRng } from "../../server/raft/rng.ts";
import type { Ledger, StoredNode } from "./ledger.ts";

export const PREFIX = "/d";
const FORM = { "Content-Type": "application/x-www-form-urlencoded" };

interface WriterState {
  readonly id: number;
  readonly rng: SeededRng;
  next: number;
  present: string[];
}

export interface WritersOptions {
  clients: number;
  seed: number;
}

interface Op {
  key: string;
  state: string | null;
  method: "PUT" | "DELETE";
  query: string;
}

function chooseOp(w: WriterState, ledger: Ledger, round: number): Op {
  const roll = w.rng.next();
  const fresh = `${w.id}-${w.next++}-r${round}`;
  if (roll < 0.15) {
    const key = `${PREFIX}/w${w.id}/cas`;
    const before = ledger.known(key);
    const query = before === null ? "?prevExist=false" : `?prevValue=${encodeURIComponent(before)}`;
    return { key, state: `c${fresh}`, method: "PUT", query };
  }
  if (roll < 0.3 && w.present.length > 0) {
    const i = w.rng.intBelow(w.present.length);
    const key = w.present[i]!;
    w.present[i] = w.present[w.present.length - 1]!;
    w.present.pop();
    return { key, state: null, method: "DELETE", query: "" };
  }
  return { key: `${PREFIX}/w${w.id}/k${w.next}`, state: `v${fresh}`, method: "PUT", query: "" };
}

async function send(baseURL: string, op: Op): Promise<{ status: number; body: { errorCode?: number; node?: { modifiedIndex?: number } }; etcdIndex: number }> {
  const r = await fetch(`${baseURL}/v2/keys${op.key}${op.query}`, {
    method: op.method,
    headers: op.method === "PUT" ? FORM : undefined,
    body: op.method === "PUT" ? `value=${encodeURIComponent(op.state ?? "")}` : undefined,
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await r.json()) as { errorCode?: number; node?: { modifiedIndex?: number } };
  return { status: r.status, body, etcdIndex: Number(r.headers.get("x-etcd-index") ?? 0) };
}

/**
 * Writers keep their per-client state across rounds (fresh key numbers never repeat) and resync
 * their list of deletable keys from the ledger after each check.
 */
export class Writers {
  private readonly states: WriterState[];
  /** Answers the ledger cannot explain (e.g. a compare failing against an acknowledged value). */
  readonly anomalies: string[] = [];

  constructor(
    private readonly ledger: Ledger,
    options: WritersOptions,
  ) {
    this.states = Array.from({ length: options.clients }, (_, id) => ({ id, rng: new SeededRng(options.seed * 131 + id), next: 0, present: [] }));
  }

  resync(): void {
    for (const w of this.states) w.present = this.ledger.presentKeys(`${PREFIX}/w${w.id}/k`);
  }

  /** Runs every client until its first failed request (the member died); resolves when all stopped. */
  async run(baseURL: string, round: number): Promise<void> {
    await Promise.all(this.states.map((w) => this.loop(w, baseURL, round)));
  }

  private async loop(w: WriterState, baseURL: string, round: number): Promise<void> {
    for (;;) {
      const op = chooseOp(w, this.ledger, round);
      let answer;
      try {
        answer = await send(baseURL, op);
      } catch {
        this.ledger.attempted(op.key, op.state);
        return;
      }
      const ok = op.method === "DELETE" ? answer.status === 200 : answer.status === 200 || answer.status === 201;
      if (ok) {
        this.ledger.acked(op.key, op.state, { modifiedIndex: answer.body.node?.modifiedIndex ?? 0, etcdIndex: answer.etcdIndex });
        if (op.state !== null && op.key.includes("/k")) w.present.push(op.key);
        continue;
      }
      if (answer.status >= 500) {
        // Stopping or unable to commit: the write may still land.
        this.ledger.attempted(op.key, op.state);
        return;
      }
      this.anomalies.push(`${op.method} ${op.key}${op.query}: ${answer.status} ${JSON.stringify(answer.body)}`);
      return;
    }
  }
}

interface NodeJSON {
  key: string;
  value?: string;
  dir?: boolean;
  modifiedIndex: number;
  nodes?: NodeJSON[];
}

/** Every leaf under PREFIX, and the store index of that read. */
export async function readAll(baseURL: string): Promise<{ stored: Map<string, StoredNode>; etcdIndex: number }> {
  const r = await fetch(`${baseURL}/v2/keys${PREFIX}?recursive=true`, { signal: AbortSignal.timeout(30_000) });
  const etcdIndex = Number(r.headers.get("x-etcd-index") ?? 0);
  const body = (await r.json()) as { node?: NodeJSON; errorCode?: number };
  const stored = new Map<string, StoredNode>();
  if (r.status === 404 && body.errorCode === 100) return { stored, etcdIndex };
  if (r.status !== 200 || !body.node) throw new Error(`reading ${PREFIX}: ${r.status} ${JSON.stringify(body)}`);
  const walk = (n: NodeJSON) => {
    if (n.dir) for (const c of n.nodes ?? []) walk(c);
    else stored.set(n.key, { value: n.value ?? "", modifiedIndex: n.modifiedIndex });
  };
  walk(body.node);
  return { stored, etcdIndex };
}
