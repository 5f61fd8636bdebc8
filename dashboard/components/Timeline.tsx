// Terms and leader changes over time: one band per term, coloured by leader, with markers for
// elections, snapshots and membership changes.
import type { RaftEvent } from "../../shared/feed.ts";
import { formatClock } from "./format.ts";

const WIDTH = 720;
const HEIGHT = 56;
const PALETTE = 6;

export function Timeline({ events, nowMs, firstMs }: { events: RaftEvent[]; nowMs: number; firstMs: number }) {
  const start = Math.min(firstMs, ...events.map((e) => e.atMs));
  const span = Math.max(1000, nowMs - start);
  const x = (t: number) => ((t - start) / span) * WIDTH;
  const leaderIds: string[] = [];
  const bands: { from: number; to: number; leader: string | null; term: number }[] = [];
  for (const e of events) {
    if (e.kind !== "leader-change" && e.kind !== "election") continue;
    const last = bands[bands.length - 1];
    if (last) last.to = e.atMs;
    const leader = e.kind === "leader-change" ? (e.leaderId ?? null) : null;
    if (leader && !leaderIds.includes(leader)) leaderIds.push(leader);
    bands.push({ from: e.atMs, to: nowMs, leader, term: e.term });
  }
  return (
    <div class="timeline" data-testid="timeline">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} preserveAspectRatio="none" role="img" aria-label="terms and leaders over time">
        <rect class="tl-bg" x="0" y="8" width={WIDTH} height="24" />
        {bands.map((b) => (
          <rect
            class={b.leader ? `tl-band c${leaderIds.indexOf(b.leader) % PALETTE}` : "tl-band none"}
            x={x(b.from)}
            y="8"
            width={Math.max(1, x(b.to) - x(b.from))}
            height="24"
          >
            <title>{`term ${b.term}: ${b.leader ?? "no leader"}`}</title>
          </rect>
        ))}
        {events
          .filter((e) => e.kind !== "leader-change")
          .map((e) => (
            <g class={`tl-mark ${e.kind}`}>
              <line x1={x(e.atMs)} x2={x(e.atMs)} y1="4" y2="36" />
              <title>{`${formatClock(e.atMs)} ${e.kind}: ${e.detail}`}</title>
            </g>
          ))}
        <text x="0" y={HEIGHT - 6}>{formatClock(start)}</text>
        <text x={WIDTH} y={HEIGHT - 6} text-anchor="end">
          {formatClock(nowMs)}
        </text>
      </svg>
    </div>
  );
}
