// Page frame: header with the member we talk to and its connection, the view tabs, the theme
// toggle, and the "member lost" banner that offers the other members.
import { nowMs } from "./state/clock.ts";
import { endpoint, endpointLabel, switchEndpoint } from "./state/endpoint.ts";
import { connection, lostSinceMs, status } from "./state/feed.ts";
import { VIEWS, view, type View } from "./state/route.ts";
import { cycleTheme, theme } from "./state/theme.ts";
import { ClusterView } from "./views/Cluster.tsx";
import { KeysView } from "./views/Keys.tsx";
import { LogView } from "./views/Log.tsx";
import { WatchesView } from "./views/Watches.tsx";

const TITLES: Record<View, string> = { cluster: "Cluster", keys: "Keys", watches: "Watches", log: "Log" };

export function App() {
  const s = status.value;
  return (
    <>
      <header class="top">
        <h1>etcbun</h1>
        <nav class="tabs">
          {VIEWS.map((v) => (
            <a href={`#/${v}`} class={view.value === v ? "active" : ""} aria-current={view.value === v ? "page" : undefined} data-testid={`tab-${v}`}>
              {TITLES[v]}
            </a>
          ))}
        </nav>
        <div class="conn" data-testid="connection" data-state={connection.value}>
          <span class={`dot ${connection.value === "live" ? "healthy" : connection.value === "lost" ? "unreachable" : "unknown"}`} />
          {s ? `${s.self.name} · ` : ""}
          {endpointLabel(endpoint.value)}
        </div>
        <button class="theme" onClick={cycleTheme} title="theme: auto follows the system" data-testid="theme-toggle">
          theme: {theme.value}
        </button>
      </header>
      {connection.value === "lost" && <LostBanner />}
      <main>
        {view.value === "cluster" && <ClusterView />}
        {view.value === "keys" && <KeysView />}
        {view.value === "watches" && <WatchesView />}
        {view.value === "log" && <LogView />}
      </main>
    </>
  );
}

function LostBanner() {
  const s = status.value;
  const since = lostSinceMs.value;
  const current = endpoint.value || location.origin;
  const others = (s?.members ?? []).filter((m) => !m.isSelf && m.clientURLs.length > 0);
  const ago = since === null ? 0 : Math.max(0, Math.round((nowMs.value - since) / 1000));
  return (
    <div class="banner" role="alert" data-testid="lost-banner">
      <strong>Lost contact with {s?.self.name ?? "the member"}</strong> ({current}) {ago > 0 ? `${ago} s ago` : "just now"}. Retrying; the
      numbers below are the last ones received.
      {others.length > 0 && (
        <span>
          {" "}
          Switch to:{" "}
          {others.map((m) => (
            <button onClick={() => switchEndpoint(m.clientURLs[0]!)} data-testid="switch-member">
              {m.name || m.id} ({m.clientURLs[0]})
            </button>
          ))}
        </span>
      )}
      {others.length === 0 && " No other member is known to switch to."}
      {endpoint.value !== "" && (
        <button class="link" onClick={() => switchEndpoint("")}>
          back to {location.host}
        </button>
      )}
    </div>
  );
}
