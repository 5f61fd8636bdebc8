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

export interface LiveEvent {
  event: EventJSON;
  key: string;
  index: number;
  /** A directory was deleted or expired: every watched path below it hears about it too. */
  removedDir: boolean;
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
    if (live.removedDir && t !== undefined) {
      const stack = [...t.children.values()];
      while (stack.length > 0) {
        const d = stack.pop()!;
        for (const w of d.watchers) targets.push(w);
        for (const c of d.children.values()) stack.push(c);
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
