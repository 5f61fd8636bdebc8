// The Keys view's state: a lazily loaded tree, the selected node, and the last write outcome.
import { signal } from "@preact/signals";
import type { ErrorJSON, NodeJSON } from "../../shared/v2.ts";
import { getKey, parentDir } from "./keys-api.ts";

export type DirListing = { state: "loading" } | { state: "loaded"; nodes: NodeJSON[] } | { state: "error"; error: ErrorJSON };

export const listings = signal<Record<string, DirListing>>({});
export const expanded = signal<Record<string, boolean>>({ "/": true });
export const selected = signal<NodeJSON | null>(null);
/** The Keys view's message line: what the last action did, or why it failed. */
export const notice = signal<{ kind: "ok" | "error" | "conflict"; text: string; current?: NodeJSON } | null>(null);

export async function loadDir(dir: string): Promise<void> {
  listings.value = { ...listings.value, [dir]: { state: "loading" } };
  const r = await getKey(dir);
  const listing: DirListing = r.ok
    ? { state: "loaded", nodes: r.event.node?.nodes ?? [] }
    : { state: "error", error: r.error };
  listings.value = { ...listings.value, [dir]: listing };
}

export function toggleDir(dir: string): void {
  const open = !expanded.value[dir];
  expanded.value = { ...expanded.value, [dir]: open };
  if (open) void loadDir(dir);
}

/** Reload the open listings a write to `key` may have changed: every open ancestor, and the key itself. */
export async function refreshAround(key: string): Promise<void> {
  const dirs: string[] = [];
  for (let d = key; ; d = parentDir(d)) {
    if (d === "/" || (expanded.value[d] && listings.value[d])) dirs.push(d);
    if (d === "/") break;
  }
  await Promise.all(dirs.map(loadDir));
}

export async function select(key: string): Promise<void> {
  revealInTree(key);
  const r = await getKey(key);
  if (r.ok && r.event.node) {
    selected.value = r.event.node;
  } else if (!r.ok) {
    selected.value = null;
    notice.value = { kind: "error", text: `${key}: ${r.error.message}${r.error.cause ? ` (${r.error.cause})` : ""}` };
  }
}

/**
 * Open the directories above `key` (a search result may be deep in a closed part of the tree)
 * and reload its own directory, whose listing may predate the key.
 */
function revealInTree(key: string): void {
  const closed: string[] = [];
  for (let d = parentDir(key); d !== "/"; d = parentDir(d)) if (!expanded.value[d]) closed.push(d);
  if (closed.length > 0) expanded.value = { ...expanded.value, ...Object.fromEntries(closed.map((d) => [d, true])) };
  for (const d of new Set([...closed, parentDir(key)])) void loadDir(d);
}
