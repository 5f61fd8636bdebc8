// Numbers for /v2/stats: Go-style time and duration strings, and per-follower leader stats.
import type { LeaderStats } from "./types.ts";

/** Wall clock in microseconds since the epoch (the store's time unit). */
export function wallUs(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}

export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.?0+Z$/, "Z");
}

/** Go's time.Duration String() for a positive duration in milliseconds. */
export function goDuration(ms: number): string {
  // Go switches to a smaller unit below one second ("850.5ms", "12µs", "7ns"); "0s" for zero.
  if (ms === 0) return "0s";
  if (ms < 1e-3) return `${Math.round(ms * 1e6)}ns`;
  if (ms < 1) return `${Number((ms * 1e3).toFixed(3))}µs`;
  if (ms < 1000) return `${Number(ms.toFixed(6))}ms`;
  const totalSecs = ms / 1000;
  const h = Math.floor(totalSecs / 3600);
  const m = Math.floor((totalSecs % 3600) / 60);
  const s = totalSecs - h * 3600 - m * 60;
  const secs = `${Number(s.toFixed(9))}s`;
  return h > 0 ? `${h}h${m}m${secs}` : m > 0 ? `${m}m${secs}` : secs;
}

/** etcd's per-follower leader stats: append results and heartbeat round trips in seconds. */
export class FollowerStats {
  success = 0;
  fail = 0;
  private n = 0;
  private mean = 0;
  private m2 = 0;
  private current = 0;
  private min = Infinity;
  private max = 0;

  addLatency(secs: number): void {
    // Welford's running mean and variance: constant memory however long the leader lives.
    this.n++;
    const d = secs - this.mean;
    this.mean += d / this.n;
    this.m2 += d * (secs - this.mean);
    this.current = secs;
    this.min = Math.min(this.min, secs);
    this.max = Math.max(this.max, secs);
  }

  toJSON(): LeaderStats["followers"][string] {
    return {
      latency: {
        current: this.current,
        average: this.mean,
        standardDeviation: this.n > 1 ? Math.sqrt(this.m2 / this.n) : 0,
        minimum: this.n > 0 ? this.min : 0,
        maximum: this.max,
      },
      counts: { fail: this.fail, success: this.success },
    };
  }
}
