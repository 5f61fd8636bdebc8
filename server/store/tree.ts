// The key tree and its TTL heap: lookups that fail with etcd's errors, and structural changes.
// Callers check everything first and only then mutate, so a failed request changes nothing.
import { Node } from "./node.ts";
import { joinPath, pathSegments } from "./path.ts";
import { TtlHeap } from "./ttl-heap.ts";
import { ErrorCode, EtcdError, type TimeUs } from "./types.ts";

/** Where a new node would go: the deepest existing directory and the directories still missing. */
export interface CreatePlan {
  parent: Node;
  missing: string[];
  name: string;
}

export class Tree {
  root = new Node("/", "", null, 0, 0, null, null);
  readonly heap = new TtlHeap();

  /** The node at a clean path; 100 (cause: first missing component) or 104 (cause: the key in the way). */
  lookup(path: string, index: number): Node {
    let cur = this.root;
    for (const seg of pathSegments(path)) {
      if (cur.children === null) throw new EtcdError(ErrorCode.NotDir, cur.path, index);
      const child = cur.children.get(seg);
      if (child === undefined) throw new EtcdError(ErrorCode.KeyNotFound, joinPath(cur.path, seg), index);
      cur = child;
    }
    return cur;
  }

  /** Walk the parent directories of a clean, non-root path; 104 if one of them is a key. */
  planCreate(path: string, index: number): CreatePlan {
    const segs = pathSegments(path);
    const name = segs.pop()!;
    let cur = this.root;
    for (let i = 0; i < segs.length; i++) {
      const child = cur.children!.get(segs[i]!);
      if (child === undefined) return { parent: cur, missing: segs.slice(i), name };
      if (child.children === null) throw new EtcdError(ErrorCode.NotDir, child.path, index);
      cur = child;
    }
    return { parent: cur, missing: [], name };
  }

  /** The existing node a plan would collide with, if any. */
  existing(plan: CreatePlan): Node | undefined {
    return plan.missing.length === 0 ? plan.parent.children!.get(plan.name) : undefined;
  }

  /** Create the plan's missing directories (permanent, stamped with `index`); returns the parent. */
  makeParents(plan: CreatePlan, index: number): Node {
    let cur = plan.parent;
    for (const seg of plan.missing) {
      const dir = new Node(joinPath(cur.path, seg), seg, cur, index, index, null, null);
      cur.children!.set(seg, dir);
      cur = dir;
    }
    return cur;
  }

  attach(parent: Node, n: Node): void {
    parent.children!.set(n.name, n);
    if (n.expireAtUs !== null) this.heap.push(n);
  }

  /** Unlink a node and drop every TTL in its subtree from the heap. */
  detach(n: Node): void {
    const parent = n.parent;
    if (parent !== null && parent.children!.get(n.name) === n) parent.children!.delete(n.name);
    if (this.heap.size === 0) return;
    const stack = [n];
    while (stack.length > 0) {
      const cur = stack.pop()!;
      if (cur.heapPos >= 0) this.heap.remove(cur);
      if (cur.children !== null) for (const c of cur.children.values()) stack.push(c);
    }
  }

  setExpire(n: Node, expireAtUs: TimeUs | null): void {
    const had = n.expireAtUs !== null;
    n.setExpire(expireAtUs);
    if (expireAtUs === null) {
      if (had) this.heap.remove(n);
    } else if (had) {
      this.heap.update(n);
    } else {
      this.heap.push(n);
    }
  }
}
