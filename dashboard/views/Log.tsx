// The tail of the Raft log as the member reports it.
import { logEntries, status } from "../state/feed.ts";

export function LogView() {
  const s = status.value;
  if (s && !s.capabilities.raftLog) {
    return (
      <section class="view" data-testid="log-view">
        <p class="muted">This member does not expose a Raft log (it is the single in-memory member, which applies writes directly).</p>
      </section>
    );
  }
  const entries = logEntries.value;
  return (
    <section class="view" data-testid="log-view">
      <table class="log">
        <thead>
          <tr>
            <th>Index</th>
            <th>Term</th>
            <th>Type</th>
            <th>Request</th>
          </tr>
        </thead>
        <tbody>
          {entries
            .slice()
            .reverse()
            .map((e) => (
              <tr>
                <td>{e.index}</td>
                <td>{e.term}</td>
                <td>{e.kind}</td>
                <td class="mono">{e.summary}</td>
              </tr>
            ))}
        </tbody>
      </table>
      {entries.length === 0 && <p class="muted">No entries yet.</p>}
    </section>
  );
}
