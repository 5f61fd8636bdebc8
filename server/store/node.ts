// One node of the key tree and its JSON shapes. Children live in a Map so lookups, inserts and
// deletes stay O(1) however large a directory grows.
import { compareBytewise, isHiddenName } from "./path.ts";
import { formatExpiration, ttlSeconds } from "./time.ts";
import type { NodeJSON, TimeUs } from "./types.ts";

export class Node {
  /** null: a key. */
  readonly children: Map<string, Node> | null;
  /** Position in the TTL heap; -1 when permanent or not in the tree. */
  heapPos = -1;
  private expirationText: string | null = null;

  constructor(
    readonly path: string,
    readonly name: string,
    public parent: Node | null,
    public createdIndex: number,
    public modifiedIndex: number,
    /** null: a directory. */
    public value: string | null,
    /** null: permanent. */
    public expireAtUs: TimeUs | null,
  ) {
    this.children = value === null ? new Map() : null;
  }

  get isDir(): boolean {
    return this.children !== null;
  }

  setExpire(expireAtUs: TimeUs | null): void {
    if (expireAtUs !== this.expireAtUs) this.expirationText = null;
    this.expireAtUs = expireAtUs;
  }

  /** The Go-formatted expiration, computed once per expiration value. */
  expiration(): string | null {
    if (this.expireAtUs === null) return null;
    return (this.expirationText ??= formatExpiration(this.expireAtUs));
  }
}

export interface ReprOptions {
  /** List children at all (a GET of a directory lists one level even when not recursive). */
  listChildren: boolean;
  recursive: boolean;
  sorted: boolean;
  nowUs: TimeUs;
  /** Left off every key; a key equal to it is shown as the root. */
  keyPrefix?: string;
}

/** The key as shown: undefined for the root (and for the prefix itself when one is stripped). */
function shownKey(path: string, keyPrefix: string | undefined): string | undefined {
  if (keyPrefix === undefined || keyPrefix === "" || keyPrefix === "/") return path === "/" ? undefined : path;
  if (path === keyPrefix) return undefined;
  return path.startsWith(keyPrefix) && path.charCodeAt(keyPrefix.length) === 47 ? path.slice(keyPrefix.length) : path;
}

/** The fields of a node JSON, built in etcd's field order with Go's omitempty rules. */
export function nodeFields(
  n: Node,
  fields: { modifiedIndex: number; value: string | null; nowUs: TimeUs; keyPrefix?: string },
  nodes?: NodeJSON[],
): NodeJSON {
  const out: NodeJSON = {};
  const key = shownKey(n.path, fields.keyPrefix);
  if (key !== undefined) out.key = key;
  if (fields.value !== null) out.value = fields.value;
  else out.dir = true;
  const expiration = n.expiration();
  if (expiration !== null) {
    out.expiration = expiration;
    const ttl = ttlSeconds(n.expireAtUs!, fields.nowUs);
    if (ttl > 0) out.ttl = ttl;
  }
  if (nodes !== undefined && nodes.length > 0) out.nodes = nodes;
  if (fields.modifiedIndex !== 0) out.modifiedIndex = fields.modifiedIndex;
  if (n.createdIndex !== 0) out.createdIndex = n.createdIndex;
  return out;
}

/** A node as GET shows it; `listChildren: false` is the non-recursive prevNode form. */
export function reprNode(n: Node, opts: ReprOptions): NodeJSON {
  let nodes: NodeJSON[] | undefined;
  if (n.children !== null && opts.listChildren) {
    const childOpts = opts.recursive === opts.listChildren ? opts : { ...opts, listChildren: opts.recursive };
    const visible: Node[] = [];
    for (const child of n.children.values()) if (!isHiddenName(child.name)) visible.push(child);
    if (opts.sorted) visible.sort((a, b) => compareBytewise(a.name, b.name));
    nodes = visible.map((child) => reprNode(child, childOpts));
  }
  return nodeFields(n, { modifiedIndex: n.modifiedIndex, value: n.value, nowUs: opts.nowUs, keyPrefix: opts.keyPrefix }, nodes);
}

/** prevNode form: never lists children. */
export function reprFlat(n: Node, nowUs: TimeUs): NodeJSON {
  return nodeFields(n, { modifiedIndex: n.modifiedIndex, value: n.value, nowUs });
}
