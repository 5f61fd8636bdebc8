// Min-heap of nodes with a TTL, ordered by expiration then path. The path tie-break makes the
// expiry order a total order, so every member (and a member rebuilt from a snapshot) expires
// same-time keys in the same order and gives them the same indexes.
import type { Node } from "./node.ts";

function before(a: Node, b: Node): boolean {
  const d = a.expireAtUs! - b.expireAtUs!;
  return d !== 0 ? d < 0 : a.path < b.path;
}

export class TtlHeap {
  private items: Node[] = [];

  get size(): number {
    return this.items.length;
  }

  top(): Node | null {
    return this.items[0] ?? null;
  }

  push(n: Node): void {
    n.heapPos = this.items.length;
    this.items.push(n);
    this.up(n.heapPos);
  }

  remove(n: Node): void {
    const i = n.heapPos;
    if (i < 0) return;
    const last = this.items.pop()!;
    n.heapPos = -1;
    if (last === n) return;
    this.items[i] = last;
    last.heapPos = i;
    this.down(i);
    this.up(last.heapPos);
  }

  /** Re-place a node whose expiration changed. */
  update(n: Node): void {
    this.down(n.heapPos);
    this.up(n.heapPos);
  }

  /** Replace the contents at once (O(n)), for recovery from a snapshot. */
  rebuild(nodes: Node[]): void {
    this.items = nodes;
    nodes.forEach((n, i) => (n.heapPos = i));
    for (let i = (nodes.length >> 1) - 1; i >= 0; i--) this.down(i);
  }

  private up(i: number): void {
    const items = this.items;
    const n = items[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = items[p]!;
      if (!before(n, parent)) break;
      items[i] = parent;
      parent.heapPos = i;
      i = p;
    }
    items[i] = n;
    n.heapPos = i;
  }

  private down(i: number): void {
    const items = this.items;
    const len = items.length;
    const n = items[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= len) break;
      const r = l + 1;
      const c = r < len && before(items[r]!, items[l]!) ? r : l;
      const child = items[c]!;
      if (!before(child, n)) break;
      items[i] = child;
      child.heapPos = i;
      i = c;
    }
    items[i] = n;
    n.heapPos = i;
  }
}
