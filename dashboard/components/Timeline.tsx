// Terms and leaders over time: one band per leadership period, coloured by leader (red while
// there is none), with ticks for elections, snapshots and membership changes.
import type { RaftEvent } from "../../shared/feed.ts";
import { formatClock } from "./format.ts";

const WIDTH = 720;
const HEIGHT = 32;
const PALETTE = 6;

interface Props {
  events: RaftEvent[];
  /** The first status the page saw: who led before the first event. */
  first: { atMs: number; leaderId: string | null; term: number };
  nowMs: number;
  nameOf: (id: string) => string;
}

interface Band {
  from: number;
  to: number;
  leader: string | null;
  term: number;
}

export function Timeline({ events, first, nowMs, nameOf }: Props) {
  const start = Math.min(first.atMs, ...events.map((e) => e.atMs));
  const span = Math.max(1000, nowMs - start);
  const x = (t: number) => ((t - start) / span) * WIDTH;
  const bands: Band[] = [{ from: start, to: nowMs, leader: events.length ? null : first.leaderId, term: first.term }];
  if (!events.some((e) => e.kind === "leader-change")) bands[0]!.leader = first.leaderId;
  for (const e of events) {
    if (e.kind !== "leader-change") continue;
    bands[bands.length - 1]!.to = e.atMs;
    bands.push({ from: e.atMs, to: nowMs, leader: e.leaderId ?? null, term: e.term });
  }
  const leaders = [...new Set(bands.map((b) => b.leader).filter((l): l is string => l !== null))];
  return (
    <div class="timeline" data-testid="timeline">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} preserveAspectRatio="none" role="img" aria-label="terms and leaders over time">
        {bands.map((b) => (
          <rect
            class={b.leader ? `tl-band c${leaders.indexOf(b.leader) % PALETTE}` : "tl-band none"}
            x={x(b.from)}
            y="4"
            width={Math.max(1, x(b.to) - x(b.from))}
            height={HEIGHT - 8}
          >
            <title>{`term ${b.term}: ${b.leader ? `leader ${nameOf(b.leader)}` : "no leader"}`}</title>
          </rect>
        ))}
        {events
          .filter((e) => e.kind !== "leader-change")
          .map((e) => (
            <line class={`tl-mark ${e.kind}`} x1={x(e.atMs)} x2={x(e.atMs)} y1="0" y2={HEIGHT}>
              <title>{`${formatClock(e.atMs)} ${e.kind}: ${e.detail}`}</title>
            </line>
          ))}
      </svg>
      <div class="tl-axis">
        <time>{formatClock(start)}</time>
        <span class="tl-legend">
          {leaders.map((l, i) => (
            <span>
              <i class={`swatch c${i % PALETTE}`} /> {nameOf(l)}
            </span>
          ))}
        </span>
        <time>{formatClock(nowMs)}</time>
      </div>
    </div>
  );
}
