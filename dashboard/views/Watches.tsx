// Open watches on the member, a live (filterable, pausable) log of key changes, and watches
// started from this page over the API's SSE stream.
import { signal } from "@preact/signals";
import { useState } from "preact/hooks";
import type { StoreChange } from "../../shared/feed.ts";
import { formatClock } from "../components/format.ts";
import { browserWatches, startWatch, stopWatch } from "../state/browser-watches.ts";
import { status, storeChanges } from "../state/feed.ts";

const paused = signal(false);
/** Changes up to which the log is frozen while paused. */
const frozen = signal<StoreChange[]>([]);

export function WatchesView() {
  const [filter, setFilter] = useState("");
  const watches = status.value?.watches ?? [];
  const live = storeChanges.value;
  const shown = (paused.value ? frozen.value : live).filter((c) => c.key.includes(filter) || c.action.includes(filter));
  const pending = paused.value ? live.length - frozen.value.length : 0;
  return (
    <section class="view" data-testid="watches-view">
      <div class="two-col">
        <div>
          <h2>Open watches on this member</h2>
          {watches.length === 0 ? (
            <p class="muted">No open watches.</p>
          ) : (
            <table data-testid="watched-keys">
              <thead>
                <tr>
                  <th>Key</th>
                  <th>Recursive</th>
                  <th>Watchers</th>
                </tr>
              </thead>
              <tbody>
                {watches.map((w) => (
                  <tr>
                    <td class="mono">{w.key}</td>
                    <td>{w.recursive ? "yes" : "no"}</td>
                    <td>{w.count}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <StartWatch />
        </div>
        <div>
          <h2>Key changes</h2>
          <div class="toolbar">
            <input placeholder="filter by key or action" value={filter} onInput={(e) => setFilter(e.currentTarget.value)} data-testid="events-filter" />
            <button
              onClick={() => {
                frozen.value = storeChanges.value;
                paused.value = !paused.value;
              }}
              data-testid="events-pause"
            >
              {paused.value ? `Resume${pending > 0 ? ` (${pending} new)` : ""}` : "Pause"}
            </button>
          </div>
          <ol class="events" data-testid="store-events">
            {shown
              .slice()
              .reverse()
              .map((c) => (
                <li data-key={c.key}>
                  <time>{formatClock(c.atMs)}</time> <span class={`tag tag-${c.action}`}>{c.action}</span> <span class="mono">{c.key}</span>
                  {c.value !== undefined && <span class="mono muted"> = {JSON.stringify(c.value)}</span>}
                  <span class="muted small"> @{c.modifiedIndex}</span>
                </li>
              ))}
            {shown.length === 0 && <li class="muted">No changes yet.</li>}
          </ol>
        </div>
      </div>
    </section>
  );
}

function StartWatch() {
  const [key, setKey] = useState("/");
  const start = (e: Event) => {
    e.preventDefault();
    startWatch(key);
  };
  return (
    <div class="start-watch">
      <h2>Watch from this page</h2>
      <form onSubmit={start} class="toolbar">
        <input value={key} onInput={(e) => setKey(e.currentTarget.value)} data-testid="watch-key" />
        <button class="primary" type="submit" data-testid="watch-start">
          Start recursive watch
        </button>
      </form>
      {browserWatches.value.map((w) => (
        <div class="browser-watch" data-testid="browser-watch">
          <div class="toolbar">
            <strong class="mono">{w.key}</strong>
            <button onClick={() => stopWatch(w.id)}>Stop</button>
          </div>
          <ol class="events">
            {w.events
              .slice()
              .reverse()
              .map((e) =>
                e.event ? (
                  <li>
                    <time>{formatClock(e.atMs)}</time> <span class={`tag tag-${e.event.action}`}>{e.event.action}</span>{" "}
                    <span class="mono">{e.event.node?.key}</span>
                    {e.event.node?.value !== undefined && <span class="mono muted"> = {JSON.stringify(e.event.node.value)}</span>}
                    <span class="muted small"> id {e.index}</span>
                  </li>
                ) : (
                  <li class="error">{e.error}</li>
                ),
              )}
            {w.events.length === 0 && <li class="muted">waiting for changes…</li>}
          </ol>
        </div>
      ))}
    </div>
  );
}
