// Members with the leader marked, Raft indexes and lag, charts, and a timeline of terms.
import type { FeedMember, FeedStatus } from "../../shared/feed.ts";
import { Sparkline } from "../components/Sparkline.tsx";
import { Timeline } from "../components/Timeline.tsx";
import { formatClock, formatRate } from "../components/format.ts";
import { switchEndpoint } from "../state/endpoint.ts";
import { connection, leaderStatus, raftEvents, status, statusHistory } from "../state/feed.ts";

export function ClusterView() {
  const s = status.value;
  if (!s) return <p class="muted">Waiting for the member's feed…</p>;
  const history = statusHistory.value;
  const leader = s.members.find((m) => m.id === s.leaderId);
  const nameOf = (id: string) => s.members.find((m) => m.id === id)?.name || id;
  const fromLeader = leaderStatus.value;
  const borrowed = fromLeader !== null && s.role !== "leader";
  const members = s.members.map((m) => withLeaderProgress(m, { status: s, fromLeader: borrowed ? fromLeader : null }));
  return (
    <section class="view" data-testid="cluster-view">
      <div class="facts">
        <Fact label="Leader" value={leader ? leader.name || leader.id : s.leaderId ? s.leaderId : "none (election)"} testId="fact-leader" />
        <Fact label="Term" value={String(s.term)} testId="fact-term" />
        <Fact label="Commit index" value={String(s.commitIndex)} testId="fact-commit" />
        <Fact label="Applied index" value={s.appliedIndex === null ? "n/a" : String(s.appliedIndex)} />
        <Fact label="Store index" value={String(s.storeIndex)} />
        <Fact label="This member" value={`${s.self.name} (${s.role ?? "no raft"})`} testId="fact-self" />
        <Fact label="Cluster ID" value={s.self.clusterId} />
      </div>
      {borrowed && <p class="muted small" data-testid="progress-from-leader">Replication progress as the leader {leader?.name || s.leaderId} reports it.</p>}
      {s.role !== "leader" && !borrowed && leader && leader.clientURLs.length > 0 && (
        <p class="muted small">
          Replication progress of each member is known only to the leader.{" "}
          <button class="link" onClick={() => switchEndpoint(leader.clientURLs[0]!)} data-testid="view-from-leader">
            View the cluster from {leader.name || leader.id}
          </button>
        </p>
      )}
      <div class="cards">
        {members.map(({ member, commitIndex }) => (
          <MemberCard member={member} commitIndex={commitIndex} />
        ))}
      </div>
      <div class="charts">
        <Sparkline label="Writes" values={history.map((h) => h.rates.writesPerSec)} format={formatRate} testId="chart-writes" />
        <Sparkline label="Requests" values={history.map((h) => h.rates.requestsPerSec)} format={formatRate} />
        <Sparkline
          label={s.capabilities.commitLatency ? "Commit latency p50" : "Commit latency (not reported by this member)"}
          values={history.map((h) => h.rates.commitLatencyMsP50)}
          format={(v) => `${v.toFixed(1)} ms`}
        />
      </div>
      <h2>Terms and leaders</h2>
      <Timeline events={raftEvents.value} first={history[0] ?? s} nowMs={s.atMs} nameOf={nameOf} />
      <ol class="events" data-testid="raft-events">
        {raftEvents.value
          .slice(-12)
          .reverse()
          .map((e) => (
            <li>
              <time>{formatClock(e.atMs)}</time> <span class={`tag tag-${e.kind}`}>{e.kind}</span> term {e.term} —{" "}
              {e.kind === "leader-change" && e.leaderId ? `leader is ${nameOf(e.leaderId)}` : e.detail}
            </li>
          ))}
        {raftEvents.value.length === 0 && <li class="muted">No elections or membership changes since the page connected.</li>}
      </ol>
      {!s.capabilities.raftEvents && (
        <p class="muted small">Elections and membership changes are inferred from status samples; snapshots are not reported by this member.</p>
      )}
    </section>
  );
}

function Fact({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <div class="fact">
      <span>{label}</span>
      <strong data-testid={testId}>{value}</strong>
    </div>
  );
}

/** A follower's feed lacks replication progress; take it from the leader's feed when the page has it. */
function withLeaderProgress(m: FeedMember, at: { status: FeedStatus; fromLeader: FeedStatus | null }) {
  const seen = at.fromLeader?.members.find((x) => x.id === m.id);
  if (!seen) return { member: m, commitIndex: at.status.commitIndex };
  const { matchIndex, lag, progressState, health, rttMs } = seen;
  const merged: FeedMember = { ...m, matchIndex, lag, progressState, rttMs, health: m.isSelf ? m.health : health };
  return { member: merged, commitIndex: at.fromLeader!.commitIndex };
}

function MemberCard({ member: m, commitIndex }: { member: FeedMember; commitIndex: number }) {
  // The feed's last word about the member we lost contact with is stale; say so.
  const health = m.isSelf && connection.value === "lost" ? "unreachable" : m.health;
  const lagClass = m.lag === null ? "" : m.lag === 0 ? "ok" : m.lag < 100 ? "warn" : "bad";
  return (
    <article class={`card ${m.isLeader ? "leader" : ""} health-${health}`} data-testid="member-card" data-member-id={m.id}>
      <header>
        <h3>{m.name || "(unstarted)"}</h3>
        {m.isLeader && <span class="badge leader-badge">leader</span>}
        {m.isSelf && <span class="badge">this member</span>}
      </header>
      <dl>
        <dt>ID</dt>
        <dd class="mono">{m.id}</dd>
        <dt>Client</dt>
        <dd class="mono">{m.clientURLs.join(", ") || "—"}</dd>
        <dt>Peer</dt>
        <dd class="mono">{m.peerURLs.join(", ")}</dd>
        <dt>Match index</dt>
        <dd data-testid="match-index">{m.matchIndex ?? "n/a"}</dd>
        <dt>Lag</dt>
        <dd class={lagClass}>{m.lag === null ? "n/a" : `${m.lag} entries behind commit ${commitIndex}`}</dd>
        <dt>Health</dt>
        <dd>
          <span class={`dot ${health}`} /> {health}
          {m.progressState ? ` · ${m.progressState}` : ""}
        </dd>
        <dt>Round trip</dt>
        <dd>{m.rttMs === null ? "n/a" : `${m.rttMs.toFixed(1)} ms`}</dd>
      </dl>
    </article>
  );
}
