// Watches started from the page, over the API's SSE stream (`wait=true&stream=true` with
// Accept: text/event-stream, which EventSource sends). When the page switches member, each watch
// moves with it and resumes after the last index it saw (waitIndex), so no change is skipped.
import { signal } from "@preact/signals";
import type { EventJSON } from "../../shared/v2.ts";
import { apiURL, endpoint } from "./endpoint.ts";
import { appendBounded } from "./history.ts";
import { keyPath } from "./keys-api.ts";

const EVENTS_KEPT = 100;

export interface WatchEntry {
  atMs: number;
  index: string;
  event: EventJSON | null;
  error?: string;
}

export interface BrowserWatch {
  id: number;
  key: string;
  /** modifiedIndex of the last event received; 0 before the first. */
  lastIndex: number;
  events: WatchEntry[];
}

export const browserWatches = signal<BrowserWatch[]>([]);
const sources = new Map<number, EventSource>();
let nextWatchId = 1;

function record(id: number, entry: WatchEntry): void {
  browserWatches.value = browserWatches.value.map((w) =>
    w.id === id
      ? { ...w, lastIndex: Number(entry.index) || w.lastIndex, events: appendBounded(w.events, [entry], EVENTS_KEPT) }
      : w,
  );
}

function open(watch: { id: number; key: string; lastIndex: number }): void {
  sources.get(watch.id)?.close();
  const resume = watch.lastIndex > 0 ? `&waitIndex=${watch.lastIndex + 1}` : "";
  // Within one member, EventSource itself resumes with Last-Event-ID after a dropped connection.
  const source = new EventSource(apiURL(`/v2/keys${keyPath(watch.key)}?wait=true&stream=true&recursive=true${resume}`));
  source.onmessage = (m) => record(watch.id, { atMs: Date.now(), index: m.lastEventId, event: JSON.parse(m.data) as EventJSON });
  source.addEventListener("error", (m) => {
    const data = (m as MessageEvent<string>).data;
    if (data) record(watch.id, { atMs: Date.now(), index: "", event: null, error: data });
  });
  sources.set(watch.id, source);
}

export function startWatch(key: string): void {
  const watch: BrowserWatch = { id: nextWatchId++, key: `/${key.replace(/^\/+/, "")}`, lastIndex: 0, events: [] };
  browserWatches.value = [...browserWatches.value, watch];
  open(watch);
}

export function stopWatch(id: number): void {
  sources.get(id)?.close();
  sources.delete(id);
  browserWatches.value = browserWatches.value.filter((w) => w.id !== id);
}

let watchedEndpoint = endpoint.peek();
endpoint.subscribe((base) => {
  if (base === watchedEndpoint) return;
  watchedEndpoint = base;
  for (const w of browserWatches.peek()) open(w);
});
