// Numbers for /v2/stats: Go-style time and duration strings, and per-follower leader stats.
import { type Message, type NodeId, MessageType } from "../raft/types.ts";
import type { LeaderStats, SelfStats } from "./types.ts";

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

/** Bytes an append carries, as counted for etcd's bandwidth rates. */
export function messageBytes(m: Message): number {
  let n = 0;
  for (const e of m.entries) n += e.data.length;
  return n;
}

const RATE_QUEUE_CAPACITY = 200;

/**
 * etcd's append-rate queue: the last 200 appends; rates over the time they span, and none once
 * the newest is more than a second old (an idle follower reports no rate, as etcd's omits it).
 */
export class RateQueue {
  private readonly atMs: number[] = [];
  private readonly bytes: number[] = [];
  private totalBytes = 0;

  add(atMs: number, bytes: number): void {
    this.atMs.push(atMs);
    this.bytes.push(bytes);
    this.totalBytes += bytes;
    if (this.atMs.length > RATE_QUEUE_CAPACITY) {
      this.atMs.shift();
      this.totalBytes -= this.bytes.shift()!;
    }
  }

  /** Per second: packages and bytes; zeros when idle or with fewer than two samples. */
  rates(nowMs: number): { pkg: number; bandwidth: number } {
    const n = this.atMs.length;
    if (n < 2 || nowMs - this.atMs[n - 1]! > 1000) return { pkg: 0, bandwidth: 0 };
    const spanSecs = (this.atMs[n - 1]! - this.atMs[0]!) / 1000;
    if (spanSecs <= 0) return { pkg: 0, bandwidth: 0 };
    return { pkg: n / spanSecs, bandwidth: this.totalBytes / spanSecs };
  }

  /** The `<dir>PkgRate` / `<dir>BandwidthRate` fields of /v2/stats/self, omitted when zero. */
  json(dir: "recv" | "send", nowMs: number): Record<string, number> {
    const { pkg, bandwidth } = this.rates(nowMs);
    const out: Record<string, number> = {};
    if (pkg > 0) out[`${dir}PkgRate`] = pkg;
    if (bandwidth > 0) out[`${dir}BandwidthRate`] = bandwidth;
    return out;
  }
}

/**
 * What /v2/stats counts of the Raft traffic: appends received and sent (counts and rates), and per
 * follower the append answers and the heartbeat round trip.
 */
export class PeerTraffic {
  private recvAppendCnt = 0;
  private sendAppendCnt = 0;
  private readonly recvRates = new RateQueue();
  private readonly sendRates = new RateQueue();
  private readonly followers = new Map<NodeId, FollowerStats>();
  /** When the last heartbeat to each peer left, to time its response. */
  private readonly heartbeatSentMs = new Map<NodeId, number>();

  received(msg: Message): void {
    switch (msg.type) {
      case MessageType.App:
        this.recvAppendCnt++;
        this.recvRates.add(performance.now(), messageBytes(msg));
        return;
      case MessageType.AppResp: {
        const f = this.follower(msg.from);
        if (msg.reject) f.fail++;
        else f.success++;
        return;
      }
      case MessageType.HeartbeatResp: {
        const sent = this.heartbeatSentMs.get(msg.from);
        if (sent === undefined) return;
        this.heartbeatSentMs.delete(msg.from);
        this.follower(msg.from).addLatency((performance.now() - sent) / 1000);
        return;
      }
    }
  }

  sent(messages: readonly Message[]): void {
    for (const m of messages) {
      if (m.type === MessageType.App) {
        this.sendAppendCnt++;
        this.sendRates.add(performance.now(), messageBytes(m));
      } else if (m.type === MessageType.Heartbeat && !this.heartbeatSentMs.has(m.to)) {
        this.heartbeatSentMs.set(m.to, performance.now());
      }
    }
  }

  follower(id: NodeId): FollowerStats {
    let f = this.followers.get(id);
    if (!f) this.followers.set(id, (f = new FollowerStats()));
    return f;
  }

  /** A member removed for good (IDs are never reused). */
  forget(id: NodeId): void {
    this.heartbeatSentMs.delete(id);
    this.followers.delete(id);
  }

  /** The append fields of /v2/stats/self. */
  selfJSON(): Pick<SelfStats, "recvAppendRequestCnt" | "recvPkgRate" | "recvBandwidthRate" | "sendAppendRequestCnt" | "sendPkgRate" | "sendBandwidthRate"> {
    const now = performance.now();
    return {
      recvAppendRequestCnt: this.recvAppendCnt,
      ...this.recvRates.json("recv", now),
      sendAppendRequestCnt: this.sendAppendCnt,
      ...this.sendRates.json("send", now),
    };
  }
}
