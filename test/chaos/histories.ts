// Generated histories for the checker's own tests: concurrent clients against one true register
// per key, each operation taking effect at a random instant inside its [invoke, complete] window,
// so the history is linearizable by construction. Seeded; no Math.random.
import type { KeyOp, OpKind } from "./history.ts";
import type { KeyState } from "./model.ts";

export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x100000000;
  };
}

export interface GenerateOptions {
  seed: number;
  ops: number;
  keys: number;
  clients: number;
  /** Fraction of mutations whose answer is lost (outcome unknown); half of them did take effect. */
  unknownRate?: number;
}

export function linearizableHistory(opts: GenerateOptions): KeyOp[] {
  const rand = rng(opts.seed);
  const values = new Map<string, KeyState>();
  const seen = new Map<string, string[]>();
  // Each client is busy until freeAt; operations take effect in effect-time order.
  const freeAt = new Array<number>(opts.clients).fill(0);
  interface Pending { op: KeyOp; effectMs: number; takesEffect: boolean }
  const pending: Pending[] = [];
  for (let i = 0; i < opts.ops; i++) {
    const client = i % opts.clients;
    const key = `k${Math.floor(rand() * opts.keys)}`;
    const invokeMs = freeAt[client]! + rand() * 2;
    const completeMs = invokeMs + 0.5 + rand() * 10;
    const effectMs = invokeMs + rand() * (completeMs - invokeMs);
    freeAt[client] = completeMs;
    const r = rand();
    const kind: OpKind = r < 0.35 ? "read" : r < 0.65 ? "write" : r < 0.9 ? "cas" : "delete";
    const op: KeyOp = { id: i, client, key, kind, outcome: "ok", invokeMs, completeMs };
    if (kind === "write" || kind === "cas") op.value = `v${i}`;
    if (kind === "cas") {
      const old = seen.get(key) ?? [];
      op.expected = old.length > 0 && rand() < 0.8 ? old[Math.max(0, old.length - 1 - Math.floor(rand() * 2))] : `v-none`;
    }
    const lost = kind !== "read" && rand() < (opts.unknownRate ?? 0);
    pending.push({ op, effectMs, takesEffect: !lost || rand() < 0.5 });
    if (lost) op.outcome = "unknown";
    if (kind === "write" || kind === "cas") seen.set(key, [...(seen.get(key) ?? []).slice(-3), op.value!]);
  }
  pending.sort((a, b) => a.effectMs - b.effectMs);
  for (const { op, takesEffect } of pending) {
    const cur = values.get(op.key) ?? null;
    const ok = (() => {
      switch (op.kind) {
        case "read":
          op.result = cur;
          return true;
        case "write":
          if (takesEffect) values.set(op.key, op.value!);
          return true;
        case "cas":
          if (cur !== op.expected) return false;
          if (takesEffect) values.set(op.key, op.value!);
          return true;
        case "delete":
          if (cur === null) return false;
          if (takesEffect) values.set(op.key, null);
          return true;
      }
    })();
    if (op.outcome !== "unknown") op.outcome = ok ? "ok" : "fail";
    else if (!ok) {
      // A lost compare that failed changed nothing; keep it unknown (the client cannot tell).
    }
  }
  return pending.map((p) => p.op).sort((a, b) => a.id - b.id);
}
