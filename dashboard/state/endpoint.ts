// Which member the page talks to. "" is the member that served the page; switching to another
// member uses its client URL (the API sends CORS headers, so the page can follow it). The choice
// is kept in the address (?member=...) so a reload stays on it.
import { signal } from "@preact/signals";

export const endpoint = signal<string>(trimSlash(new URLSearchParams(location.search).get("member") ?? ""));

export function endpointLabel(base: string): string {
  return base === "" ? location.host : base.replace(/^https?:\/\//, "");
}

export function switchEndpoint(base: string): void {
  const next = trimSlash(base) === location.origin ? "" : trimSlash(base);
  endpoint.value = next;
  const url = new URL(location.href);
  if (next === "") url.searchParams.delete("member");
  else url.searchParams.set("member", next);
  history.replaceState(null, "", url);
}

export function apiURL(path: string): string {
  return `${endpoint.value}${path}`;
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, "");
}
