// The lazily loaded key tree: a directory's children are fetched when it is opened, and large
// directories render a page at a time.
import { useState } from "preact/hooks";
import type { NodeJSON } from "../../shared/v2.ts";
import { baseName } from "../state/keys-api.ts";
import { expanded, listings, select, selected, toggleDir } from "../state/keys.ts";

const PAGE = 200;

export function KeyTree({ dir, depth }: { dir: string; depth: number }) {
  const [shown, setShown] = useState(PAGE);
  const listing = listings.value[dir];
  if (!listing || listing.state === "loading") return <div class="tree-note" style={indent(depth)}>loading…</div>;
  if (listing.state === "error") {
    return (
      <div class="tree-note error" style={indent(depth)}>
        {listing.error.message}
      </div>
    );
  }
  const nodes = listing.nodes;
  if (nodes.length === 0) return <div class="tree-note muted" style={indent(depth)}>(empty)</div>;
  return (
    <ul class="tree" role="group">
      {nodes.slice(0, shown).map((n) => (
        <TreeNode node={n} depth={depth} />
      ))}
      {nodes.length > shown && (
        <li style={indent(depth)}>
          <button class="link" onClick={() => setShown(shown + PAGE)}>
            show {Math.min(PAGE, nodes.length - shown)} more of {nodes.length - shown}
          </button>
        </li>
      )}
    </ul>
  );
}

function TreeNode({ node, depth }: { node: NodeJSON; depth: number }) {
  const key = node.key ?? "/";
  const isOpen = node.dir && expanded.value[key];
  const isSelected = selected.value?.key === key;
  return (
    <li role="treeitem" aria-expanded={node.dir ? Boolean(isOpen) : undefined}>
      <div class={`tree-row ${isSelected ? "selected" : ""}`} style={indent(depth)} data-testid="tree-node" data-key={key}>
        {node.dir ? (
          <button class="twisty" aria-label={isOpen ? "collapse" : "expand"} onClick={() => toggleDir(key)}>
            {isOpen ? "▾" : "▸"}
          </button>
        ) : (
          <span class="twisty" />
        )}
        <button class="link name" onClick={() => void select(key)}>
          {baseName(key)}
          {node.dir ? "/" : ""}
        </button>
        {node.ttl !== undefined && <span class="badge ttl">ttl</span>}
      </div>
      {isOpen && <KeyTree dir={key} depth={depth + 1} />}
    </li>
  );
}

function indent(depth: number) {
  return { paddingLeft: `${depth * 1.1 + 0.3}rem` };
}
