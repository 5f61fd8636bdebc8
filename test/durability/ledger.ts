// What the clients were told: for every key, the state after its last acknowledged write, and the
// states of writes that were in flight when the member died (they may or may not have landed).
// After a restart the member must show, for every key, the acknowledged state or one of those
// later in-doubt states, and nothing else may exist under the test's prefix.

/** A value, or null for "absent" (never written, or deleted). */
export type KeyState = string | null;

interface Tracked {
  known: KeyState;
  /** modifiedIndex of the acknowledged write; 0 when unknown or absent. */
  knownIndex: number;
  pending: KeyState[];
}

export interface StoredNode {
  value: string;
  modifiedIndex: number;
}

export class Ledger {
  private readonly keys = new Map<string, Tracked>();
  /** The highest X-Etcd-Index any acknowledged write returned, or any restart showed. */
  indexFloor = 0;
  acknowledged = 0;
  inDoubt = 0;

  private entry(key: string): Tracked {
    let t = this.keys.get(key);
    if (!t) {
      t = { known: null, knownIndex: 0, pending: [] };
      this.keys.set(key, t);
    }
    return t;
  }

  known(key: string): KeyState {
    return this.keys.get(key)?.known ?? null;
  }

  acked(key: string, state: KeyState, options: { modifiedIndex: number; etcdIndex: number }): void {
    const t = this.entry(key);
    t.known = state;
    t.knownIndex = state === null ? 0 : options.modifiedIndex;
    t.pending = [];
    this.acknowledged++;
    this.indexFloor = Math.max(this.indexFloor, options.etcdIndex);
  }

  attempted(key: string, state: KeyState): void {
    this.entry(key).pending.push(state);
    this.inDoubt++;
  }

  /**
   * Compares what the member holds now with what was acknowledged; returns the violations, and
   * adopts the member's state (each in-doubt write resolved one way or the other) for the next round.
   */
  check(stored: Map<string, StoredNode>, etcdIndex: number): string[] {
    const problems: string[] = [];
    if (etcdIndex < this.indexFloor) problems.push(`X-Etcd-Index went backwards: ${etcdIndex} < ${this.indexFloor}`);
    this.indexFloor = Math.max(this.indexFloor, etcdIndex);
    for (const [key, t] of this.keys) {
      const node = stored.get(key);
      const actual: KeyState = node?.value ?? null;
      if (actual === t.known) {
        if (node && t.knownIndex !== 0 && node.modifiedIndex !== t.knownIndex) {
          problems.push(`${key}: value ${actual} acknowledged at index ${t.knownIndex} but stored at ${node.modifiedIndex}`);
        }
      } else if (!t.pending.includes(actual)) {
        problems.push(`${key}: acknowledged ${JSON.stringify(t.known)} (in doubt: ${JSON.stringify(t.pending)}) but found ${JSON.stringify(actual)}`);
      }
      t.known = actual;
      t.knownIndex = node?.modifiedIndex ?? 0;
      t.pending = [];
    }
    for (const key of stored.keys()) if (!this.keys.has(key)) problems.push(`${key}: exists but was never written`);
    return problems;
  }

  presentKeys(prefix: string): string[] {
    const out: string[] = [];
    for (const [key, t] of this.keys) if (t.known !== null && key.startsWith(prefix)) out.push(key);
    return out;
  }
}
