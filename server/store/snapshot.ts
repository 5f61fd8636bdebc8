// The store's snapshot form: one JSON document, the tree flattened in pre-order as five values a
// node (name, createdIndex, modifiedIndex, expireAtUs, value-or-child-count) so 100k keys cost
// one array, not 100k objects with repeated field names. The TTL heap is rebuilt on load.
import type { HistoryEntry } from "./history.ts";
import { Node } from "./node.ts";
import { joinPath } from "./path.ts";
import type { EventJSON } from "./types.ts";

const FORMAT_VERSION = 1;

export interface SnapshotState {
  index: number;
  root: Node;
  history: HistoryEntry[];
  counters: number[];
}

interface SnapshotDoc {
  v: number;
  index: number;
  counters: number[];
  /** Pre-order, five values a node; a directory's fifth value is its child count. */
  tree: (string | number | null)[];
  /** [index, refresh (0/1), event] oldest first. */
  history: [number, number, EventJSON][];
}

function flatten(root: Node): (string | number | null)[] {
  const out: (string | number | null)[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const n = stack.pop()!;
    out.push(n.name, n.createdIndex, n.modifiedIndex, n.expireAtUs);
    if (n.children === null) {
      out.push(n.value);
    } else {
      out.push(n.children.size);
      // Reverse so children pop in insertion order and the rebuilt maps keep that order.
      const kids = [...n.children.values()];
      for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]!);
    }
  }
  return out;
}

function unflatten(flat: (string | number | null)[]): { root: Node; ttlNodes: Node[] } {
  const ttlNodes: Node[] = [];
  // Iterative so a very deep path cannot overflow the call stack: each open directory keeps
  // the number of children still to read.
  const open: { dir: Node; left: number }[] = [];
  let root: Node | null = null;
  for (let pos = 0; pos < flat.length; pos += 5) {
    if (pos + 5 > flat.length) throw new Error("store snapshot: truncated tree");
    const name = flat[pos] as string;
    const expire = flat[pos + 3] as number | null;
    const last = flat[pos + 4]!;
    const parent = open.length > 0 ? open[open.length - 1]! : null;
    if (parent === null && root !== null) throw new Error("store snapshot: trailing tree data");
    const path = parent === null ? "/" : joinPath(parent.dir.path, name);
    const value = typeof last === "string" ? last : null;
    const n = new Node(path, name, parent?.dir ?? null, flat[pos + 1] as number, flat[pos + 2] as number, value, expire);
    if (expire !== null) ttlNodes.push(n);
    if (parent === null) root = n;
    else {
      parent.dir.children!.set(name, n);
      parent.left--;
    }
    if (typeof last === "number" && last > 0) open.push({ dir: n, left: last });
    while (open.length > 0 && open[open.length - 1]!.left === 0) open.pop();
  }
  if (root === null || open.length > 0) throw new Error("store snapshot: truncated tree");
  return { root, ttlNodes };
}

export function encodeSnapshot(state: SnapshotState): Uint8Array {
  const doc: SnapshotDoc = {
    v: FORMAT_VERSION,
    index: state.index,
    counters: state.counters,
    tree: flatten(state.root),
    history: state.history.map((h) => [h.index, h.refresh ? 1 : 0, h.event]),
  };
  return new TextEncoder().encode(JSON.stringify(doc));
}

export function decodeSnapshot(data: Uint8Array): SnapshotState & { ttlNodes: Node[] } {
  const doc = JSON.parse(new TextDecoder().decode(data)) as SnapshotDoc;
  if (doc.v !== FORMAT_VERSION) throw new Error(`store snapshot: unknown format version ${doc.v}`);
  const { root, ttlNodes } = unflatten(doc.tree);
  return {
    index: doc.index,
    counters: doc.counters,
    root,
    ttlNodes,
    history: doc.history.map(([index, refresh, event]) => {
      Object.freeze(event.node);
      Object.freeze(event.prevNode);
      return { index, refresh: refresh === 1, event: Object.freeze(event) };
    }),
  };
}
