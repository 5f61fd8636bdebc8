// Hash routing (#/cluster, #/keys, ...) so a view can be linked and reloaded.
import { signal } from "@preact/signals";

export const VIEWS = ["cluster", "keys", "watches", "log"] as const;
export type View = (typeof VIEWS)[number];

function parse(): View {
  const name = location.hash.replace(/^#\/?/, "").split("/")[0];
  return (VIEWS as readonly string[]).includes(name ?? "") ? (name as View) : "cluster";
}

export const view = signal<View>(parse());
addEventListener("hashchange", () => {
  view.value = parse();
});
