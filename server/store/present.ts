// Showing store events to clients of one namespace: keys with the namespace prefix left off,
// and the JSON text computed once per event however many watchers receive it. Store events
// are frozen and never change, so both can be cached by identity.
import type { EventJSON, NodeJSON } from "./types.ts";

/** A copy of `node` with `prefix` left off its key; the prefix itself becomes the root (no key). */
export function stripNodePrefix(node: NodeJSON, prefix: string): NodeJSON {
  const out: NodeJSON = {};
  const key = node.key;
  if (key !== undefined && key !== prefix) {
    out.key = key.startsWith(prefix) && key.charCodeAt(prefix.length) === 47 ? key.slice(prefix.length) : key;
  }
  if (node.value !== undefined) out.value = node.value;
  if (node.dir !== undefined) out.dir = node.dir;
  if (node.expiration !== undefined) out.expiration = node.expiration;
  if (node.ttl !== undefined) out.ttl = node.ttl;
  if (node.nodes !== undefined) out.nodes = node.nodes.map((n) => stripNodePrefix(n, prefix));
  if (node.modifiedIndex !== undefined) out.modifiedIndex = node.modifiedIndex;
  if (node.createdIndex !== undefined) out.createdIndex = node.createdIndex;
  return out;
}

export interface PresentedEvent {
  event: EventJSON;
  /** JSON.stringify(event), without the trailing newline. */
  text: string;
}

const cache = new WeakMap<EventJSON, { prefix: string; presented: PresentedEvent }>();

/** The event as a client of `prefix` sees it, cached per event (one prefix at a time). */
export function presentEvent(event: EventJSON, prefix: string): PresentedEvent {
  const hit = cache.get(event);
  if (hit !== undefined && hit.prefix === prefix) return hit.presented;
  const shown: EventJSON = { action: event.action };
  if (event.node !== undefined) shown.node = stripNodePrefix(event.node, prefix);
  if (event.prevNode !== undefined) shown.prevNode = stripNodePrefix(event.prevNode, prefix);
  const presented = { event: shown, text: JSON.stringify(shown) };
  if (Object.isFrozen(event)) cache.set(event, { prefix, presented });
  return presented;
}
