// Live watchers indexed by path in a trie of segments, so fanning an event out costs the depth
// of its key (plus the watched paths below a removed directory), not the number of watchers.
import { isHiddenName, pathSegments } from "./path.ts";
import type { EventJSON } from "./types.ts";
import type { StoreWatcher } from "./watcher.ts";

class TrieNode {
  readonly children = new Map<string, TrieNode>();
  readonly watchers = new Set<StoreWatcher>();
  constructor(
    readonly parent: TrieNode | null,
    readonly segment: string,
    readonly path: string,
  ) {}
}

/** The part of a removed subtree the hub needs: which paths existed below the removed node. */
export interface RemovedShape {
  readonly children: ReadonlyMap<string, RemovedShape> | null;
}

export interface LiveEvent {
  event: EventJSON;
  key: string;
  index: number;
  /**
   * A deleted or expired directory: watchers at every path that existed below it hear about it
   * too, recursive or not (as etcd's removal callback does; never-existing paths are not told).
   */
  removed?: RemovedShape;
}

export class WatcherHub {
  private root = new TrieNode(null, "", "/");
  private registered = 0;

  get count(): number {
    return this.registered;
  }

  add(w: StoreWatcher): void {
    let t = this.root;
    for (const seg of pathSegments(w.key)) {
      let child = t.children.get(seg);
      if (child === undefined) {
        child = new TrieNode(t, seg, t === this.root ? "/" + seg : t.path + "/" + seg);
        t.children.set(seg, child);
      }
      t = child;
    }
    t.watchers.add(w);
    this.registered++;
    const node = t;
    w.detach = () => {
      node.watchers.delete(w);
      this.registered--;
      this.prune(node);
    };
  }

  notify(live: LiveEvent): void {
    const segs = pathSegments(live.key);
    // Ancestor watchers at a depth below the last hidden segment do not see the event.
    let lastHidden = 0;
    for (let i = 0; i < segs.length; i++) if (isHiddenName(segs[i]!)) lastHidden = i + 1;

    const targets: StoreWatcher[] = [];
    let t: TrieNode | undefined = this.root;
    for (let depth = 0; t !== undefined; depth++) {
      const exact = depth === segs.length;
      if (t.watchers.size > 0 && (exact || depth >= lastHidden)) {
        for (const w of t.watchers) if (exact || w.recursive) targets.push(w);
      }
      if (exact) break;
      t = t.children.get(segs[depth]!);
    }
    if (live.removed !== undefined && t !== undefined) {
      // Walk the watched paths and the removed subtree together: cost is bounded by the smaller.
      const stack: [TrieNode, RemovedShape][] = [[t, live.removed]];
      while (stack.length > 0) {
        const [watched, removed] = stack.pop()!;
        if (removed.children === null) continue;
        for (const [seg, child] of watched.children) {
          const gone = removed.children.get(seg);
          if (gone === undefined) continue;
          for (const w of child.watchers) targets.push(w);
          stack.push([child, gone]);
        }
      }
    }
    for (const w of targets) if (live.index >= w.sinceIndex) w.deliver(live.event);
  }

  /** Close every watcher (recovery replaces the state they were watching). */
  closeAll(): void {
    const all: StoreWatcher[] = [];
    const stack = [this.root];
    while (stack.length > 0) {
      const t = stack.pop()!;
      all.push(...t.watchers);
      stack.push(...t.children.values());
    }
    for (const w of all) w.remove();
  }

  watchedKeys(): { key: string; recursive: boolean; count: number }[] {
    const out: { key: string; recursive: boolean; count: number }[] = [];
    const stack = [this.root];
    while (stack.length > 0) {
      const t = stack.pop()!;
      let recursive = 0;
      for (const w of t.watchers) if (w.recursive) recursive++;
      const exact = t.watchers.size - recursive;
      if (exact > 0) out.push({ key: t.path, recursive: false, count: exact });
      if (recursive > 0) out.push({ key: t.path, recursive: true, count: recursive });
      stack.push(...t.children.values());
    }
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : Number(a.recursive) - Number(b.recursive)));
  }

  private prune(t: TrieNode): void {
    let node: TrieNode = t;
    while (node.parent !== null && node.watchers.size === 0 && node.children.size === 0) {
      node.parent.children.delete(node.segment);
      node = node.parent;
    }
  }
}
