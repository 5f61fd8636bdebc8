// Linearizability of a recorded history, per key (a history is linearizable iff each key's is:
// linearizability is local). The search is Wing & Gong's, with Lowe's memoization of
// (set of linearized operations, model state) as Porcupine and Knossos use: walk the time-ordered
// call/return events; at a call, try to linearize that operation now; at a return of an operation
// not yet linearized, backtrack. Unknown outcomes return at +Infinity, so they may be linearized
// anywhere after their invoke, and the model lets them leave the state unchanged ("never").
import type { KeyOp } from "./history.ts";
import { stepKey, type KeyState } from "./model.ts";

export interface KeyVerdict {
  key: string;
  ok: boolean;
  /** The search gave up (state budget spent) without deciding; ok is false. */
  undecided?: boolean;
  ops: number;
  /** The longest sequence of operations the search could linearize, in order (for reports). */
  deepest: KeyOp[];
  /** Operations that were pending when the search got stuck at its deepest point. */
  stuckAt: KeyOp[];
}

export interface Verdict {
  ok: boolean;
  keys: KeyVerdict[];
  failing: KeyVerdict[];
}

interface Node {
  op: KeyOp;
  /** Index of op in the key's op array (the bit in the linearized set). */
  bit: number;
  isCall: boolean;
  match: Node | null;
  prev: Node | null;
  next: Node | null;
}

class BitSet {
  readonly words: Uint32Array;
  constructor(size: number) {
    this.words = new Uint32Array((size + 31) >>> 5);
  }
  set(i: number): void {
    this.words[i >>> 5]! |= 1 << (i & 31);
  }
  clear(i: number): void {
    this.words[i >>> 5]! &= ~(1 << (i & 31));
  }
  equals(words: Uint32Array): boolean {
    for (let i = 0; i < words.length; i++) if (words[i] !== this.words[i]) return false;
    return true;
  }
}

function buildList(ops: readonly KeyOp[]): Node {
  const events: Node[] = [];
  ops.forEach((op, bit) => {
    const call: Node = { op, bit, isCall: true, match: null, prev: null, next: null };
    const ret: Node = { op, bit, isCall: false, match: null, prev: null, next: null };
    call.match = ret;
    events.push(call, ret);
  });
  const time = (n: Node) => (n.isCall ? n.op.invokeMs : n.op.completeMs);
  // On equal times a call sorts first: the two operations overlapped, which allows more orders.
  events.sort((a, b) => time(a) - time(b) || (a.isCall === b.isCall ? 0 : a.isCall ? -1 : 1));
  const head: Node = { op: ops[0]!, bit: -1, isCall: false, match: null, prev: null, next: null };
  let prev = head;
  for (const e of events) {
    prev.next = e;
    e.prev = prev;
    prev = e;
  }
  return head;
}

function lift(call: Node): void {
  call.prev!.next = call.next;
  if (call.next) call.next.prev = call.prev;
  const ret = call.match!;
  ret.prev!.next = ret.next;
  if (ret.next) ret.next.prev = ret.prev;
}

function unlift(call: Node): void {
  const ret = call.match!;
  ret.prev!.next = ret;
  if (ret.next) ret.next.prev = ret;
  call.prev!.next = call;
  if (call.next) call.next.prev = call;
}

interface Frame {
  call: Node;
  state: KeyState;
  alternative: number;
}

/** Seeded 32-bit mixing, so the per-operation hash keys do not depend on Math.random. */
function zobrist(i: number): number {
  let x = (i + 1) * 0x9e3779b1;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** Search states per key before giving up: a non-linearizable history can cost exponential time. */
const STATES_MAX = 2_000_000;

export function checkKey(key: string, input: readonly KeyOp[], options: { initial?: KeyState; statesMax?: number } = {}): KeyVerdict {
  const statesMax = options.statesMax ?? STATES_MAX;
  let states = 0;
  // A read without an answer constrains nothing.
  const ops = input.filter((o) => !(o.kind === "read" && o.outcome !== "ok")).map((o) => (o.outcome === "unknown" ? { ...o, completeMs: Infinity } : o));
  if (ops.length === 0) return { key, ok: true, ops: 0, deepest: [], stuckAt: [] };
  const head = buildList(ops);
  const linearized = new BitSet(ops.length);
  const hashes = ops.map((o, i) => (o.completeMs === Infinity ? 0 : zobrist(i)));
  let hash = 0;
  const cache = new Map<string, Uint32Array[]>();
  const stack: Frame[] = [];
  let state: KeyState = options.initial ?? null;
  let entry: Node | null = head.next;
  let resumeAlternative = 0;
  let deepest: Frame[] = [];
  let stuckAt: KeyOp[] = [];

  // Bits of operations with unknown outcome. A configuration is dominated by one with the same
  // state and definite operations but fewer unknown ones linearized (those could still come
  // later, or never), so it is pruned too: without this, k unknown operations cost 2^k.
  const unknownMask = new Uint32Array(linearized.words.length);
  ops.forEach((o, i) => {
    if (o.completeMs === Infinity) unknownMask[i >>> 5]! |= 1 << (i & 31);
  });
  const dominated = (seen: Uint32Array): boolean => {
    const cur = linearized.words;
    for (let i = 0; i < cur.length; i++) {
      const m = unknownMask[i]!;
      if ((seen[i]! & ~m) !== (cur[i]! & ~m)) return false;
      if ((seen[i]! & m & ~cur[i]!) !== 0) return false;
    }
    return true;
  };
  const remember = (h: number, s: KeyState): boolean => {
    states++;
    const k = `${h}|${s === null ? "\u0000" : s}`;
    const seen = cache.get(k);
    if (seen) {
      for (const w of seen) if (dominated(w)) return false;
      seen.push(linearized.words.slice());
    } else cache.set(k, [linearized.words.slice()]);
    return true;
  };

  while (head.next !== null) {
    if (states > statesMax) return { key, ok: false, undecided: true, ops: ops.length, deepest: deepest.map((f) => f.call.op), stuckAt };
    const node: Node = entry!;
    if (!node.isCall && node.op.completeMs === Infinity) break; // only unknown outcomes remain: "never" fits them all
    if (node.isCall) {
      const nexts = stepKey(state, node.op);
      let moved = false;
      for (let alt = resumeAlternative; alt < nexts.length; alt++) {
        const nextState = nexts[alt]!;
        linearized.set(node.bit);
        const nextHash = (hash ^ hashes[node.bit]!) >>> 0;
        if (remember(nextHash, nextState)) {
          stack.push({ call: node, state, alternative: alt });
          state = nextState;
          hash = nextHash;
          lift(node);
          entry = head.next;
          moved = true;
          break;
        }
        linearized.clear(node.bit);
      }
      resumeAlternative = 0;
      if (!moved) entry = node.next;
      continue;
    }
    // A return whose operation is not yet linearized: this ordering cannot work.
    if (stack.length >= deepest.length) {
      deepest = stack.slice();
      stuckAt = pendingAt(head, node);
    }
    const top = stack.pop();
    if (!top) return { key, ok: false, ops: ops.length, deepest: deepest.map((f) => f.call.op), stuckAt };
    state = top.state;
    linearized.clear(top.call.bit);
    hash = (hash ^ hashes[top.call.bit]!) >>> 0;
    unlift(top.call);
    entry = top.call;
    resumeAlternative = top.alternative + 1;
  }
  return { key, ok: true, ops: ops.length, deepest: [], stuckAt: [] };
}

/** Operations called but not linearized before the return event `at`. */
function pendingAt(head: Node, at: Node): KeyOp[] {
  const out: KeyOp[] = [];
  for (let n = head.next; n && n !== at.next; n = n.next) if (n.isCall) out.push(n.op);
  return out;
}

export function checkHistory(ops: readonly KeyOp[], options: { initial?: Map<string, KeyState> } = {}): Verdict {
  const byKey = new Map<string, KeyOp[]>();
  for (const op of ops) {
    const list = byKey.get(op.key);
    if (list) list.push(op);
    else byKey.set(op.key, [op]);
  }
  const keys = [...byKey].map(([key, list]) => checkKey(key, list, { initial: options.initial?.get(key) ?? null }));
  const failing = keys.filter((k) => !k.ok).sort((a, b) => a.ops - b.ops);
  return { ok: failing.length === 0, keys, failing };
}
