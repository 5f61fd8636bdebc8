// The key browser: a tree on the left, the selected node on the right, prefix search and a
// create form on top. Everything goes through the ordinary v2 keys API.
import { useEffect, useState } from "preact/hooks";
import type { NodeJSON } from "../../shared/v2.ts";
import { endpoint } from "../state/endpoint.ts";
import { flatten, getKey, parentDir, putKey } from "../state/keys-api.ts";
import { loadDir, notice, refreshAround, select, selected } from "../state/keys.ts";
import { KeyEditor } from "./KeyEditor.tsx";
import { KeyTree } from "./KeyTree.tsx";

const SEARCH_LIMIT = 500;

export function KeysView() {
  useEffect(() => {
    void loadDir("/");
  }, [endpoint.value]);
  const n = notice.value;
  return (
    <section class="view keys" data-testid="keys-view">
      <div class="keys-top">
        <Search />
        <CreateForm />
      </div>
      {n && n.kind !== "conflict" && (
        <p class={`notice ${n.kind}`} role="status" data-testid="keys-notice">
          {n.text}
        </p>
      )}
      <div class="keys-main">
        <nav class="tree-pane" aria-label="keys">
          <div class="tree-row root">
            <button class="link name" onClick={() => void loadDir("/")}>
              / (reload)
            </button>
          </div>
          <KeyTree dir="/" depth={0} />
        </nav>
        <div class="detail-pane">{selected.value ? <KeyEditor node={selected.value} /> : <p class="muted">Select a key or directory.</p>}</div>
      </div>
    </section>
  );
}

function Search() {
  const [prefix, setPrefix] = useState("");
  const [results, setResults] = useState<NodeJSON[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const run = async (e: Event) => {
    e.preventDefault();
    const p = `/${prefix.replace(/^\/+/, "")}`;
    // The v2 API lists directories, so search lists the prefix's directory recursively.
    const dir = p.endsWith("/") ? p.replace(/\/+$/, "") || "/" : parentDir(p);
    const r = await getKey(dir, { recursive: true });
    if (!r.ok) {
      setError(r.error.message);
      setResults(null);
      return;
    }
    setError(null);
    setResults(r.event.node ? flatten(r.event.node).filter((n) => (n.key ?? "").startsWith(p)) : []);
  };
  return (
    <form class="search" onSubmit={run}>
      <input placeholder="search by prefix, e.g. /services/web" value={prefix} onInput={(e) => setPrefix(e.currentTarget.value)} data-testid="keys-search" />
      <button type="submit">Search</button>
      {error && <span class="error">{error}</span>}
      {results && (
        <div class="results" data-testid="search-results">
          <div class="muted small">
            {results.length} match{results.length === 1 ? "" : "es"}
            {results.length > SEARCH_LIMIT ? ` (first ${SEARCH_LIMIT} shown)` : ""}
            <button type="button" class="link" onClick={() => setResults(null)}>
              close
            </button>
          </div>
          <ul>
            {results.slice(0, SEARCH_LIMIT).map((n) => (
              <li>
                <button type="button" class="link mono" onClick={() => void select(n.key ?? "/")}>
                  {n.key}
                  {n.dir ? "/" : ""}
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
    </form>
  );
}

function CreateForm() {
  const [key, setKey] = useState("");
  const [value, setValue] = useState("");
  const [dir, setDir] = useState(false);
  const [ttl, setTtl] = useState("");
  const create = async (e: Event) => {
    e.preventDefault();
    const path = `/${key.replace(/^\/+/, "")}`;
    const r = await putKey(path, { value, dir, prevExist: false, ttlSecs: ttl.trim() === "" ? undefined : Number(ttl) });
    if (r.ok) {
      notice.value = { kind: "ok", text: `created ${path} at index ${r.event.node?.modifiedIndex}` };
      setKey("");
      setValue("");
      setTtl("");
      void refreshAround(path);
      void select(path);
    } else {
      notice.value = { kind: "error", text: `${r.error.message}${r.error.cause ? ` (${r.error.cause})` : ""}` };
    }
  };
  return (
    <form class="create-form" onSubmit={create}>
      <input required placeholder="new key, e.g. /config/mode" value={key} onInput={(e) => setKey(e.currentTarget.value)} data-testid="create-key" />
      <input placeholder="value" disabled={dir} value={value} onInput={(e) => setValue(e.currentTarget.value)} data-testid="create-value" />
      <input class="narrow" type="number" min="1" placeholder="TTL s" value={ttl} onInput={(e) => setTtl(e.currentTarget.value)} data-testid="create-ttl" />
      <label class="inline">
        <input type="checkbox" checked={dir} onChange={(e) => setDir(e.currentTarget.checked)} /> dir
      </label>
      <button class="primary" type="submit" data-testid="create-submit">
        Create
      </button>
    </form>
  );
}
