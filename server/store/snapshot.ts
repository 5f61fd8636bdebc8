// The store's snapshot form. A small JSON document holds the tree flattened in pre-order as five
// values a node (name, createdIndex, modifiedIndex, expireAtUs, value-or-child-count) so 100k keys
// cost one array, not 100k objects with repeated field names; the TTL heap is rebuilt on load.
// Large values do not go through JSON: escaping and re-parsing 100 MB of them held the event loop
// for seconds, long enough for an election. They follow the document as raw UTF-8, and the
// document refers to the k-th of them by the number -(k + 1) in place of the string.
//   v2: "ETCBSTO2" | u32 LE document bytes | document | large values back to back
//   v1 (read only, older data dirs): the bare document, every value inline.
import type { HistoryEntry } from "./history.ts";
import { Node } from "./node.ts";
import { joinPath } from "./path.ts";
import type { EventJSON, NodeJSON, SnapshotEncoding } from "./types.ts";

const FORMAT_VERSION = 2;
const MAGIC = new TextEncoder().encode("ETCBSTO2");
const PREFIX_BYTES = MAGIC.length + 4;
/** Values at least this long (UTF-16 units) go after the document; shorter ones are cheaper in JSON. */
export const LARGE_VALUE_CHARS = 1024;

export interface SnapshotState {
  index: number;
  root: Node;
  history: HistoryEntry[];
  counters: number[];
}

/** A large value's place in the document: -(k + 1) for the k-th value after it. */
type Ref = number;
type Flat = string | number | null;

interface SnapshotDoc {
  v: number;
  index: number;
  counters: number[];
  /** Pre-order, five values a node; a directory's fifth value is its child count, a file's its value or a Ref. */
  tree: Flat[];
  /** [index, refresh (0/1), event] oldest first; node and prevNode values may be Refs. */
  history: [number, number, EventJSON][];
  /** UTF-8 byte length of each large value, in order (v2). */
  large?: number[];
}

/** Collects the large values of one snapshot as it is written. */
class LargeValues {
  readonly values: string[] = [];
  /**
   * Per path, the tree's value and the last two placed from history: an event usually carries the
   * very string its node or the event before it holds, so a value shared that way is written once.
   */
  private readonly byPath = new Map<string, { tree: Ref | null; recent: Ref[] }>();

  /** The value itself, or a reference to it when it is large. Ill-formed UTF-16 stays in JSON, which keeps it exactly. */
  place(value: string, opts: { path?: string; tree?: boolean } = {}): string | Ref {
    if (value.length < LARGE_VALUE_CHARS || !value.isWellFormed()) return value;
    const seen = opts.path === undefined ? undefined : this.byPath.get(opts.path);
    if (seen !== undefined) {
      for (const ref of seen.tree === null ? seen.recent : [seen.tree, ...seen.recent]) if (this.values[-ref - 1] === value) return ref;
    }
    this.values.push(value);
    const ref = -this.values.length;
    if (opts.path !== undefined) {
      const entry = seen ?? { tree: null, recent: [] };
      if (opts.tree) entry.tree = ref;
      else entry.recent = [...entry.recent.slice(-1), ref];
      this.byPath.set(opts.path, entry);
    }
    return ref;
  }
}

function flatten(root: Node, large: LargeValues): Flat[] {
  const out: Flat[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const n = stack.pop()!;
    out.push(n.name, n.createdIndex, n.modifiedIndex, n.expireAtUs);
    if (n.children === null) {
      out.push(n.value === null ? null : large.place(n.value, { path: n.path, tree: true }));
    } else {
      out.push(n.children.size);
      // Reverse so children pop in insertion order and the rebuilt maps keep that order.
      const kids = [...n.children.values()];
      for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]!);
    }
  }
  return out;
}

/** History events are frozen and shared with watchers: a large value means a copy with a Ref. */
function placeEvent(event: EventJSON, large: LargeValues): EventJSON {
  const place = (n: NodeJSON | undefined) => (n?.value !== undefined && n.value.length >= LARGE_VALUE_CHARS ? { ...n, value: large.place(n.value, { path: n.key }) } : n);
  const node = place(event.node);
  const prevNode = place(event.prevNode);
  if (node === event.node && prevNode === event.prevNode) return event;
  const copy = { ...event } as Record<string, unknown>;
  if (node !== undefined) copy.node = node;
  if (prevNode !== undefined) copy.prevNode = prevNode;
  return copy as unknown as EventJSON;
}

function unflatten(flat: Flat[], resolve: (ref: Ref) => string): { root: Node; ttlNodes: Node[] } {
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
    const value = typeof last === "string" ? last : typeof last === "number" && last < 0 ? resolve(last) : null;
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

/** Fixes the snapshot's content now (the document is built, large values are only referenced: strings never change) and copies the large values in as `fill` is called. */
export function beginSnapshotEncoding(state: SnapshotState): SnapshotEncoding {
  const large = new LargeValues();
  const doc: SnapshotDoc = {
    v: FORMAT_VERSION,
    index: state.index,
    counters: state.counters,
    tree: flatten(state.root, large),
    history: state.history.map((h) => [h.index, h.refresh ? 1 : 0, placeEvent(h.event, large)]),
  };
  const lengths = large.values.map((v) => Buffer.byteLength(v, "utf8"));
  doc.large = lengths;
  const docBytes = new TextEncoder().encode(JSON.stringify(doc));
  // Allocated, not yet touched: the pages are faulted in by the steps that write them.
  const bytes = new Uint8Array(PREFIX_BYTES + docBytes.length + lengths.reduce((a, b) => a + b, 0));
  bytes.set(MAGIC);
  new DataView(bytes.buffer).setUint32(MAGIC.length, docBytes.length, true);
  bytes.set(docBytes, PREFIX_BYTES);
  const encoder = new TextEncoder();
  let at = PREFIX_BYTES + docBytes.length;
  let next = 0;
  return {
    bytes,
    fill(budgetBytes) {
      for (let copied = 0; next < large.values.length && copied < budgetBytes; next++) {
        // Written straight into place: no intermediate copy of the value's bytes.
        const { written } = encoder.encodeInto(large.values[next]!, bytes.subarray(at, at + lengths[next]!));
        if (written !== lengths[next]) throw new Error(`store snapshot: value ${next} encoded to ${written} bytes, expected ${lengths[next]}`);
        at += written;
        copied += written;
        large.values[next] = ""; // the store may drop the value; this encoding no longer needs it
      }
      return next === large.values.length;
    },
  };
}

export function encodeSnapshot(state: SnapshotState): Uint8Array {
  const encoding = beginSnapshotEncoding(state);
  encoding.fill(Infinity);
  return encoding.bytes;
}

/** The document and its large values, still as bytes. Throws on anything malformed. */
function readDocument(data: Uint8Array): { doc: SnapshotDoc; large: Uint8Array[] } {
  // The first byte of a v1 snapshot is the "{" of its JSON document.
  if (data[0] === 0x7b) return { doc: JSON.parse(new TextDecoder().decode(data)) as SnapshotDoc, large: [] };
  if (data.length < PREFIX_BYTES || MAGIC.some((b, i) => data[i] !== b)) throw new Error("store snapshot: not a store snapshot");
  const docLength = new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(MAGIC.length, true);
  if (PREFIX_BYTES + docLength > data.length) throw new Error("store snapshot: truncated document");
  const doc = JSON.parse(new TextDecoder().decode(data.subarray(PREFIX_BYTES, PREFIX_BYTES + docLength))) as SnapshotDoc;
  if (doc.v !== FORMAT_VERSION) throw new Error(`store snapshot: unknown format version ${doc.v}`);
  const large: Uint8Array[] = [];
  let at = PREFIX_BYTES + docLength;
  for (const length of doc.large ?? []) {
    if (!Number.isSafeInteger(length) || length < 0 || at + length > data.length) throw new Error("store snapshot: truncated large values");
    large.push(data.subarray(at, at + length));
    at += length;
  }
  if (at !== data.length) throw new Error("store snapshot: trailing bytes after the large values");
  return { doc, large };
}

/** The JSON document of a snapshot, large values left as references (for tests and inspection). */
export function snapshotDocument(data: Uint8Array): SnapshotDoc {
  return readDocument(data).doc;
}

export function decodeSnapshot(data: Uint8Array): SnapshotState & { ttlNodes: Node[] } {
  const { doc, large } = readDocument(data);
  if (doc.v !== 1 && doc.v !== FORMAT_VERSION) throw new Error(`store snapshot: unknown format version ${doc.v}`);
  const decoder = new TextDecoder("utf-8", { fatal: true });
  // A value shared by a node and its history events is decoded once and shared again.
  const decoded: string[] = [];
  const resolve = (ref: Ref): string => {
    const k = -ref - 1;
    const bytes = large[k];
    if (!Number.isInteger(ref) || bytes === undefined) throw new Error(`store snapshot: no large value ${k}`);
    return (decoded[k] ??= decoder.decode(bytes));
  };
  const resolveNode = (n: NodeJSON | undefined) => (typeof n?.value === "number" ? { ...n, value: resolve(n.value) } : n);
  const { root, ttlNodes } = unflatten(doc.tree, resolve);
  return {
    index: doc.index,
    counters: doc.counters,
    root,
    ttlNodes,
    history: doc.history.map(([index, refresh, stored]) => {
      const event = { ...stored };
      if (stored.node !== undefined) event.node = resolveNode(stored.node);
      if (stored.prevNode !== undefined) event.prevNode = resolveNode(stored.prevNode);
      Object.freeze(event.node);
      Object.freeze(event.prevNode);
      return { index, refresh: refresh === 1, event: Object.freeze(event) };
    }),
  };
}
