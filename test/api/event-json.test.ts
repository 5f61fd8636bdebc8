// eventJSON edits JSON text instead of copying the event; checked here against the plain way:
// copy the tree with every key un-namespaced, then serialize it as Go would.
import { expect, test } from "bun:test";
import { goJSON } from "../../server/api/go-json.ts";
import { eventJSON } from "../../server/api/paths.ts";
import type { EventJSON, NodeJSON } from "../../server/store/types.ts";

function trimmed(n: NodeJSON): NodeJSON {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(n)) {
    if (k === "key") {
      if (v === "/1") continue;
      out.key = (v as string).startsWith("/1/") ? (v as string).slice(2) : v;
    } else if (k === "nodes") out.nodes = (v as NodeJSON[]).map(trimmed);
    else out[k] = v;
  }
  return out as unknown as NodeJSON;
}

function reference(e: EventJSON): string {
  const copy: Record<string, unknown> = { ...e };
  if (e.node) copy.node = trimmed(e.node);
  if (e.prevNode) copy.prevNode = trimmed(e.prevNode);
  return goJSON(copy);
}

const cases: EventJSON[] = [
  { action: "get", node: { key: "/1", dir: true, nodes: [{ key: "/1/1", value: "<&>", modifiedIndex: 3, createdIndex: 3 }, { key: "/1/1/1", dir: true }] } },
  { action: "set", node: { key: "/1/a", value: '"key":"/1/b', modifiedIndex: 9, createdIndex: 9 }, prevNode: { key: "/1/a", value: "\u2028\u2029", modifiedIndex: 8, createdIndex: 8 } },
  { action: "get", node: { key: "/1/10", value: "x" } },
  { action: "get", node: { key: "/10/x", value: "not our namespace" } },
  { action: "get", node: { key: "/0/members", dir: true } },
  { action: "delete", node: { key: "/1/1", modifiedIndex: 4, createdIndex: 2 }, prevNode: { key: "/1/1", value: "" } },
] as EventJSON[];

test.each(cases.map((e) => [reference(e), e] as const))("%s", (expected, e) => {
  expect(eventJSON(e)).toBe(expected);
});

test("random trees of keys under, beside and inside the namespace", () => {
  let seed = 7;
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
  const parts = ["1", "10", "a", "key", "<b>", '"', "\\"];
  const node = (depth: number): NodeJSON => {
    const key = ["", "1", ...Array.from({ length: rnd(3) }, () => parts[rnd(parts.length)]!)].join("/") || "/";
    const n: Record<string, unknown> = { key };
    if (depth > 0 && rnd(2) === 0) n.nodes = Array.from({ length: rnd(4) }, () => node(depth - 1));
    else n.value = parts[rnd(parts.length)]! + '"key":"/1/';
    return n as unknown as NodeJSON;
  };
  for (let i = 0; i < 500; i++) {
    const e = { action: "get", node: node(3) } as EventJSON;
    expect(eventJSON(e)).toBe(reference(e));
  }
});
