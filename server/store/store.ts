// The v2 store: a pure apply function over the key tree. Every successful mutation bumps the
// index once and records one event; every failure throws EtcdError before touching anything.
// Dispatch mirrors etcd's apply_v2 (spec keys-api.md section 4).
import { EventHistory, HISTORY_CAPACITY } from "./history.ts";
import { Node, nodeFields, reprFlat, reprNode } from "./node.ts";
import { cleanPath, joinPath } from "./path.ts";
import { beginSnapshotEncoding, decodeSnapshot, encodeSnapshot, type SnapshotState } from "./snapshot.ts";
import { StoreCounters } from "./stats.ts";
import { normalizeExpireUs } from "./time.ts";
import { Tree } from "./tree.ts";
import {
  type ApplyResult,
  ErrorCode,
  EtcdError,
  type EventJSON,
  type GetOptions,
  type NodeJSON,
  type SnapshotEncoding,
  type StoreStatsJSON,
  type TimeUs,
  type V2Request,
  type V2Store,
  type WatchOptions,
  type Watcher,
} from "./types.ts";
import { StoreWatcher } from "./watcher.ts";
import { WatcherHub } from "./watcher-hub.ts";

export interface StoreOptions {
  /** Permanent directories created at index 0 that, like "/", cannot be written or deleted. */
  namespaces: string[];
}

type PutRequest = Extract<V2Request, { method: "PUT" }>;
type DeleteRequest = Extract<V2Request, { method: "DELETE" }>;

interface Commit {
  index: number;
  key: string;
  /** Refresh: recorded (and indexed) but never shown to watchers. */
  refresh?: boolean;
  /** A removed directory, still holding the subtree it had. */
  removed?: Node;
}

/** Node JSON of a deleted/expired node: no value, no TTL, stamped with the removal index. */
function removedNodeJSON(n: Node, index: number): NodeJSON {
  const out: NodeJSON = { key: n.path };
  if (n.isDir) out.dir = true;
  out.modifiedIndex = index;
  out.createdIndex = n.createdIndex;
  return out;
}

/** etcd's compare: an empty prevValue or a zero prevIndex is no condition. */
function compareCause(n: Node, prevValue: string | undefined, prevIndex: number | undefined): string | null {
  const valueOk = !prevValue || n.value === prevValue;
  const indexOk = !prevIndex || n.modifiedIndex === prevIndex;
  if (valueOk && indexOk) return null;
  if (indexOk) return `[${prevValue} != ${n.value}]`;
  if (valueOk) return `[${prevIndex} != ${n.modifiedIndex}]`;
  return `[${prevValue} != ${n.value}] [${prevIndex} != ${n.modifiedIndex}]`;
}

export class Store implements V2Store {
  private currentIndex = 0;
  private tree = new Tree();
  private history = new EventHistory();
  private hub = new WatcherHub();
  private counters = new StoreCounters();
  private readonly readonlyPaths: Set<string>;

  constructor(opts: StoreOptions) {
    const namespaces = opts.namespaces.map(cleanPath);
    this.readonlyPaths = new Set(["/", ...namespaces]);
    for (const ns of namespaces) {
      if (ns === "/") continue;
      const plan = this.tree.planCreate(ns, 0);
      if (this.tree.existing(plan) !== undefined) continue;
      const parent = this.tree.makeParents(plan, 0);
      this.tree.attach(parent, new Node(ns, plan.name, parent, 0, 0, null, null));
    }
  }

  get index(): number {
    return this.currentIndex;
  }

  apply(req: V2Request): ApplyResult {
    switch (req.method) {
      case "POST":
        return this.counters.count("create", () =>
          this.create(req.path, { ...req, unique: true }),
        );
      case "PUT":
        return this.put(req);
      case "DELETE":
        return this.del(req);
      case "QGET":
        return this.get(req.path, req);
      case "SYNC":
        return this.expire(req.timeUs);
      default:
        // A log entry from a newer or corrupt writer: refuse it rather than guess.
        throw new Error(`store: unknown request method ${JSON.stringify((req as { method: unknown }).method)}`);
    }
  }

  get(path: string, opts: GetOptions): ApplyResult {
    const n = this.counters.count("gets", () => this.tree.lookup(cleanPath(path), this.currentIndex));
    const node = reprNode(n, {
      listChildren: true,
      recursive: opts.recursive,
      sorted: opts.sorted,
      nowUs: opts.nowUs,
      keyPrefix: opts.keyPrefix,
    });
    return { event: { action: "get", node }, index: this.currentIndex };
  }

  watch(path: string, opts: WatchOptions): Watcher {
    const key = cleanPath(path);
    const sinceIndex = opts.sinceIndex > 0 ? opts.sinceIndex : this.currentIndex + 1;
    const oldest = this.history.startIndex;
    if (this.history.size > 0 && sinceIndex < oldest) {
      throw new EtcdError(
        ErrorCode.EventIndexCleared,
        `the requested history has been cleared [${oldest}/${sinceIndex}]`,
        this.currentIndex,
      );
    }
    const replay = this.history.scan(key, {
      recursive: opts.recursive,
      sinceIndex,
      limit: opts.stream ? HISTORY_CAPACITY : 1,
    });
    const w = new StoreWatcher(
      { key, recursive: opts.recursive, stream: opts.stream, sinceIndex, startIndex: this.currentIndex },
      replay,
    );
    if (!w.isEnded) this.hub.add(w);
    return w;
  }

  nextExpiryUs(): TimeUs | null {
    return this.tree.heap.top()?.expireAtUs ?? null;
  }

  stats(): StoreStatsJSON {
    return this.counters.toJSON(this.hub.count);
  }

  watchedKeys(): { key: string; recursive: boolean; count: number }[] {
    return this.hub.watchedKeys();
  }

  save(): Uint8Array {
    return encodeSnapshot(this.snapshotState());
  }

  saveInSteps(): SnapshotEncoding {
    return beginSnapshotEncoding(this.snapshotState());
  }

  private snapshotState(): SnapshotState {
    return { index: this.currentIndex, root: this.tree.root, history: this.history.entries(), counters: this.counters.toArray() };
  }

  recover(data: Uint8Array): void {
    const state = decodeSnapshot(data);
    this.hub.closeAll();
    this.hub = new WatcherHub();
    this.tree = new Tree();
    this.tree.root = state.root;
    this.tree.heap.rebuild(state.ttlNodes);
    this.history = new EventHistory();
    for (const h of state.history) this.history.add(h);
    this.counters = StoreCounters.fromArray(state.counters);
    this.currentIndex = state.index;
  }

  // ---- mutations -------------------------------------------------------------------------

  private put(req: PutRequest): ApplyResult {
    const hasCompare = !!req.prevValue || (req.prevIndex ?? 0) > 0;
    if (req.prevExist === true) {
      return hasCompare
        ? this.counters.count("compareAndSwap", () => this.compareAndSwap(req))
        : this.counters.count("update", () => this.update(req));
    }
    if (req.prevExist === false) {
      return this.counters.count("create", () => this.create(req.path, { ...req, unique: false }));
    }
    if (hasCompare) return this.counters.count("compareAndSwap", () => this.compareAndSwap(req));
    return this.counters.count("sets", () => this.set(req));
  }

  private del(req: DeleteRequest): ApplyResult {
    if (req.prevValue || (req.prevIndex ?? 0) > 0) {
      return this.counters.count("compareAndDelete", () => this.compareAndDelete(req));
    }
    return this.counters.count("delete", () => this.delete(req));
  }

  private checkWritable(path: string): void {
    if (this.readonlyPaths.has(path)) throw new EtcdError(ErrorCode.RootROnly, "/", this.currentIndex);
  }

  private create(
    rawPath: string,
    o: { unique: boolean; dir: boolean; value: string; expireAtUs: TimeUs | null; nowUs: TimeUs },
  ): ApplyResult {
    const next = this.currentIndex + 1;
    let path = cleanPath(rawPath);
    if (o.unique) path = joinPath(path, String(next).padStart(20, "0"));
    this.checkWritable(path);
    const plan = this.tree.planCreate(path, this.currentIndex);
    if (this.tree.existing(plan) !== undefined) throw new EtcdError(ErrorCode.NodeExist, path, this.currentIndex);

    const parent = this.tree.makeParents(plan, next);
    const n = new Node(path, plan.name, parent, next, next, o.dir ? null : o.value, normalizeExpireUs(o.expireAtUs));
    this.tree.attach(parent, n);
    return this.commit({ action: "create", node: reprFlat(n, o.nowUs) }, { index: next, key: path });
  }

  private set(req: PutRequest): ApplyResult {
    const path = cleanPath(req.path);
    this.checkWritable(path);
    // A refresh keeps the current value, so the node must exist (100 / 104 otherwise).
    if (req.refresh) this.tree.lookup(path, this.currentIndex);
    const plan = this.tree.planCreate(path, this.currentIndex);
    const prev = this.tree.existing(plan);
    if (prev?.isDir) throw new EtcdError(ErrorCode.NotFile, path, this.currentIndex);

    const next = this.currentIndex + 1;
    const value = req.refresh ? prev!.value! : req.value;
    let prevNode: NodeJSON | undefined;
    if (prev !== undefined) {
      prevNode = reprFlat(prev, req.nowUs);
      this.tree.detach(prev);
    }
    const parent = this.tree.makeParents(plan, next);
    const n = new Node(path, plan.name, parent, next, next, req.dir ? null : value, normalizeExpireUs(req.expireAtUs));
    this.tree.attach(parent, n);
    const event: EventJSON = { action: "set", node: reprFlat(n, req.nowUs) };
    if (prevNode !== undefined) event.prevNode = prevNode;
    return this.commit(event, { index: next, key: path, refresh: req.refresh });
  }

  private update(req: PutRequest): ApplyResult {
    const path = cleanPath(req.path);
    this.checkWritable(path);
    const n = this.tree.lookup(path, this.currentIndex);
    if (n.isDir && req.value.length > 0) throw new EtcdError(ErrorCode.NotFile, path, this.currentIndex);

    const next = this.currentIndex + 1;
    const prevNode = reprFlat(n, req.nowUs);
    // etcd quirk kept on purpose: a directory's stored modifiedIndex does not move on update.
    if (!n.isDir) {
      if (!req.refresh) n.value = req.value;
      n.modifiedIndex = next;
    }
    this.tree.setExpire(n, normalizeExpireUs(req.expireAtUs));
    const node = nodeFields(n, { modifiedIndex: next, value: n.value, nowUs: req.nowUs });
    return this.commit({ action: "update", node, prevNode }, { index: next, key: path, refresh: req.refresh });
  }

  private compareAndSwap(req: PutRequest): ApplyResult {
    const path = cleanPath(req.path);
    this.checkWritable(path);
    const n = this.tree.lookup(path, this.currentIndex);
    if (n.isDir) throw new EtcdError(ErrorCode.NotFile, path, this.currentIndex);
    const cause = compareCause(n, req.prevValue, req.prevIndex);
    if (cause !== null) throw new EtcdError(ErrorCode.TestFailed, cause, this.currentIndex);

    const next = this.currentIndex + 1;
    const prevNode = reprFlat(n, req.nowUs);
    if (!req.refresh) n.value = req.value;
    n.modifiedIndex = next;
    this.tree.setExpire(n, normalizeExpireUs(req.expireAtUs));
    const event: EventJSON = { action: "compareAndSwap", node: reprFlat(n, req.nowUs), prevNode };
    return this.commit(event, { index: next, key: path, refresh: req.refresh });
  }

  private delete(req: DeleteRequest): ApplyResult {
    const path = cleanPath(req.path);
    this.checkWritable(path);
    const n = this.tree.lookup(path, this.currentIndex);
    if (n.isDir) {
      if (!req.dir && !req.recursive) throw new EtcdError(ErrorCode.NotFile, n.path, this.currentIndex);
      if (n.children!.size > 0 && !req.recursive) {
        throw new EtcdError(ErrorCode.DirNotEmpty, n.path, this.currentIndex);
      }
    }
    return this.remove(n, { action: "delete", nowUs: req.nowUs });
  }

  private compareAndDelete(req: DeleteRequest): ApplyResult {
    const path = cleanPath(req.path);
    const n = this.tree.lookup(path, this.currentIndex);
    if (n.isDir) throw new EtcdError(ErrorCode.NotFile, path, this.currentIndex);
    const cause = compareCause(n, req.prevValue, req.prevIndex);
    if (cause !== null) throw new EtcdError(ErrorCode.TestFailed, cause, this.currentIndex);
    return this.remove(n, { action: "compareAndDelete", nowUs: req.nowUs });
  }

  /** Expire every node due at `timeUs`, earliest first, one index and one event each. */
  private expire(timeUs: TimeUs): ApplyResult {
    const expired: EventJSON[] = [];
    for (let n = this.tree.heap.top(); n !== null && n.expireAtUs! <= timeUs; n = this.tree.heap.top()) {
      expired.push(this.remove(n, { action: "expire", nowUs: timeUs }).event);
      this.counters.inc("expireCount");
    }
    return { event: expired.at(-1) ?? { action: "expire" }, index: this.currentIndex, expired };
  }

  private remove(n: Node, o: { action: "delete" | "compareAndDelete" | "expire"; nowUs: TimeUs }): ApplyResult {
    const next = this.currentIndex + 1;
    const prevNode = reprFlat(n, o.nowUs);
    this.tree.detach(n);
    const event: EventJSON = { action: o.action, node: removedNodeJSON(n, next), prevNode };
    return this.commit(event, { index: next, key: n.path, removed: n.isDir ? n : undefined });
  }

  private commit(event: EventJSON, c: Commit): ApplyResult {
    // One object is shared by the caller, the history and every watcher: freeze it so a
    // consumer that edits its copy fails loudly instead of rewriting history.
    Object.freeze(event.node);
    Object.freeze(event.prevNode);
    Object.freeze(event);
    this.currentIndex = c.index;
    const refresh = c.refresh === true;
    this.history.add({ index: c.index, event, refresh });
    if (!refresh && this.hub.count > 0) {
      this.hub.notify({ event, key: c.key, index: c.index, removed: c.removed });
    }
    return { event, index: c.index };
  }
}

export function createStore(opts: StoreOptions): V2Store {
  return new Store(opts);
}
