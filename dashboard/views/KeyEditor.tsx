// View and edit one node. Saves are compare-and-swap on the modifiedIndex the editor loaded, so
// a concurrent change is reported instead of silently overwritten.
import { useEffect, useState } from "preact/hooks";
import type { NodeJSON } from "../../shared/v2.ts";
import { secondsUntil } from "../components/format.ts";
import { nowMs } from "../state/clock.ts";
import { deleteKey, getKey, putKey } from "../state/keys-api.ts";
import { notice, refreshAround, selected } from "../state/keys.ts";

export function KeyEditor({ node }: { node: NodeJSON }) {
  const key = node.key ?? "/";
  const [value, setValue] = useState(node.value ?? "");
  const [ttl, setTtl] = useState(node.ttl !== undefined ? String(node.ttl) : "");
  useEffect(() => {
    setValue(node.value ?? "");
    setTtl(node.ttl !== undefined ? String(node.ttl) : "");
  }, [key, node.modifiedIndex]);

  const save = async (prevIndex: number) => {
    const ttlSecs = ttl.trim() === "" ? undefined : Number(ttl);
    const r = await putKey(key, { value, ttlSecs, prevIndex });
    if (r.ok) {
      selected.value = r.event.node ?? null;
      notice.value = { kind: "ok", text: `saved ${key} at index ${r.event.node?.modifiedIndex}` };
      void refreshAround(key);
    } else {
      await reportFailure(key, r.error.errorCode, r.error.message, r.error.cause);
    }
  };

  const remove = async () => {
    if (node.dir && !confirm(`Delete directory ${key} and everything under it?`)) return;
    const r = await deleteKey(key, node.dir ? { dir: true } : { dir: false, prevIndex: node.modifiedIndex });
    if (r.ok) {
      selected.value = null;
      notice.value = { kind: "ok", text: `deleted ${key}` };
      void refreshAround(key);
    } else {
      await reportFailure(key, r.error.errorCode, r.error.message, r.error.cause);
    }
  };

  const remaining = node.expiration ? secondsUntil(node.expiration, nowMs.value) : null;
  return (
    <div class="editor" data-testid="key-editor">
      <h2 class="mono">{key}</h2>
      <dl class="meta">
        <dt>Type</dt>
        <dd>{node.dir ? "directory" : "key"}</dd>
        <dt>Created index</dt>
        <dd data-testid="created-index">{node.createdIndex}</dd>
        <dt>Modified index</dt>
        <dd data-testid="modified-index">{node.modifiedIndex}</dd>
        <dt>TTL</dt>
        <dd data-testid="ttl">
          {remaining === null ? "none" : remaining > 0 ? `${remaining} s left (expires ${node.expiration})` : "expired"}
        </dd>
        {node.dir && (
          <>
            <dt>Children</dt>
            <dd>{node.nodes?.length ?? 0}</dd>
          </>
        )}
      </dl>
      {!node.dir && (
        <label>
          Value
          <textarea rows={6} value={value} onInput={(e) => setValue(e.currentTarget.value)} data-testid="editor-value" />
        </label>
      )}
      {!node.dir && (
        <label class="inline">
          TTL seconds (empty: no TTL)
          <input type="number" min="1" value={ttl} onInput={(e) => setTtl(e.currentTarget.value)} data-testid="editor-ttl" />
        </label>
      )}
      <div class="actions">
        {!node.dir && (
          <button class="primary" onClick={() => void save(node.modifiedIndex ?? 0)} data-testid="editor-save">
            Save (if unchanged since index {node.modifiedIndex})
          </button>
        )}
        <button class="danger" onClick={() => void remove()} data-testid="editor-delete">
          Delete
        </button>
        <button onClick={() => void reload(key)}>Reload</button>
      </div>
      <Conflict onOverwrite={(idx) => void save(idx)} />
    </div>
  );
}

function Conflict({ onOverwrite }: { onOverwrite: (prevIndex: number) => void }) {
  const n = notice.value;
  if (n?.kind !== "conflict" || !n.current) return null;
  const current = n.current;
  return (
    <div class="conflict" role="alert" data-testid="conflict">
      <strong>Conflict:</strong> {n.text}
      <div class="mono small">
        now: modifiedIndex {current.modifiedIndex}
        {current.value !== undefined ? `, value ${JSON.stringify(current.value)}` : ""}
      </div>
      <div class="actions">
        <button onClick={() => void reload(current.key ?? "/")}>Load their version</button>
        <button class="danger" onClick={() => onOverwrite(current.modifiedIndex ?? 0)}>
          Overwrite their version with mine
        </button>
      </div>
    </div>
  );
}

async function reload(key: string): Promise<void> {
  const r = await getKey(key);
  notice.value = null;
  if (r.ok) selected.value = r.event.node ?? null;
  else notice.value = { kind: "error", text: r.error.message };
}

async function reportFailure(key: string, code: number, message: string, cause?: string): Promise<void> {
  if (code !== 101) {
    notice.value = { kind: "error", text: `${message}${cause ? ` (${cause})` : ""}` };
    return;
  }
  const r = await getKey(key);
  const current = r.ok ? r.event.node : undefined;
  notice.value = current
    ? { kind: "conflict", text: `${key} was changed by someone else since you loaded it; your change was not applied. (${message}: ${cause ?? ""})`, current }
    : { kind: "error", text: `${key} was deleted by someone else; your change was not applied.` };
}
