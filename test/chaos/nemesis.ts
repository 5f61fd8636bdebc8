// Faults injected into a running cluster from a seeded schedule: the same seed draws the same
// sequence of fault kinds, targets and durations (what the cluster does in between is real time
// and is not replayed). Each fault is injected, held, healed, and then a write must commit within
// ten election timeouts.
import type { Cluster, ClusterMember } from "../support/cluster.ts";

export const NEMESIS_KINDS = [
  "kill-leader",
  "kill-follower",
  "kill-majority",
  "kill-all",
  "pause-leader",
  "pause-follower",
  "isolate",
  "leader-minority",
  "oneway",
  "flaky",
  "membership",
  "snapshot-catchup",
] as const;
export type NemesisKind = (typeof NEMESIS_KINDS)[number];

export interface NemesisOptions {
  kinds: readonly NemesisKind[];
  random(): number;
  /** How long a fault is held, drawn between these. */
  holdMsMin: number;
  holdMsMax: number;
  /** Quiet time between faults. */
  gapMs: number;
  /** Writes to push a cut-off follower past the leader's compaction (snapshot-count + catch-up entries). */
  catchUpWrites: number;
  log(line: string): void;
}

export interface FaultRecord {
  kind: NemesisKind;
  detail: string;
  atMs: number;
  /** From heal to the first committed write. */
  recoveryMs: number;
}

export class Nemesis {
  readonly faults: FaultRecord[] = [];
  readonly anomalies: string[] = [];
  private stopped = false;
  private probeSeq = 0;

  constructor(
    private readonly cluster: Cluster,
    private readonly opts: NemesisOptions,
  ) {}

  stop(): void {
    this.stopped = true;
  }

  private pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.opts.random() * xs.length)]!;
  }

  private shuffled<T>(xs: readonly T[]): T[] {
    const a = [...xs];
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(this.opts.random() * (i + 1));
      [a[i], a[j]] = [a[j]!, a[i]!];
    }
    return a;
  }

  private hold(): number {
    return this.opts.holdMsMin + this.opts.random() * (this.opts.holdMsMax - this.opts.holdMsMin);
  }

  /** Live members (not removed), and the leader if there is one now. */
  private async roles(): Promise<{ all: ClusterMember[]; leader: ClusterMember; followers: ClusterMember[] }> {
    const leader = await this.cluster.waitForLeader(30_000);
    const all = this.cluster.members.filter((m) => m.state !== "removed");
    return { all, leader, followers: all.filter((m) => m !== leader) };
  }

  async run(untilMs: number): Promise<void> {
    while (!this.stopped && Date.now() < untilMs) {
      const kind = this.pick(this.opts.kinds);
      const atMs = Date.now();
      let detail: string;
      try {
        detail = await this.inject(kind);
      } catch (e) {
        this.anomalies.push(`nemesis ${kind}: ${(e as Error).message.split("\n")[0]}`);
        await this.healAll();
        detail = "failed to inject";
      }
      const recoveryMs = await this.awaitWrite();
      const budgetMs = 10 * this.cluster.electionTimeoutMs;
      this.opts.log(`nemesis: ${kind} ${detail}; write committed ${recoveryMs.toFixed(0)} ms after heal`);
      if (recoveryMs > budgetMs) this.anomalies.push(`after ${kind} (${detail}) the first write committed ${recoveryMs.toFixed(0)} ms after heal (> ${budgetMs} ms, ten election timeouts)`);
      this.faults.push({ kind, detail, atMs, recoveryMs });
      await Bun.sleep(this.opts.gapMs);
    }
  }

  /** Injects, holds and heals one fault; returns what it did. */
  private async inject(kind: NemesisKind): Promise<string> {
    const { all, leader, followers } = await this.roles();
    const links = this.cluster.links;
    const names = (ms: ClusterMember[]) => ms.map((m) => m.name).join(",");
    switch (kind) {
      case "kill-leader":
      case "kill-follower":
      case "kill-majority":
      case "kill-all": {
        const victims =
          kind === "kill-leader" ? [leader] : kind === "kill-follower" ? [this.pick(followers)] : kind === "kill-all" ? all : this.shuffled(all).slice(0, Math.floor(all.length / 2) + 1);
        await Promise.all(victims.map((m) => m.kill("SIGKILL")));
        await Bun.sleep(this.hold());
        await Promise.all(victims.map((m) => m.start()));
        return `SIGKILL ${names(victims)}, restarted`;
      }
      case "pause-leader":
      case "pause-follower": {
        const victim = kind === "pause-leader" ? leader : this.pick(followers);
        victim.pause();
        // Past the election timeout, so the others notice and (for a leader) elect another.
        await Bun.sleep(Math.max(this.hold(), 2 * this.cluster.electionTimeoutMs));
        victim.resume();
        return `SIGSTOP ${victim.name}, SIGCONT`;
      }
      case "isolate":
      case "leader-minority":
      case "oneway":
      case "flaky": {
        if (!links) throw new Error("link faults need a proxied cluster");
        let detail: string;
        if (kind === "isolate") {
          const victim = this.pick(all);
          links.partition([victim.name], all.filter((m) => m !== victim).map((m) => m.name));
          detail = `${victim.name} cut from all`;
        } else if (kind === "leader-minority") {
          const minority = [leader, ...this.shuffled(followers).slice(0, Math.floor((all.length - 1) / 2) - 1)];
          const majority = all.filter((m) => !minority.includes(m));
          links.partition(minority.map((m) => m.name), majority.map((m) => m.name));
          detail = `leader side {${names(minority)}} | {${names(majority)}}`;
        } else if (kind === "oneway") {
          // The leader hears its followers but they never hear it (or the reverse).
          const outbound = this.opts.random() < 0.5;
          for (const f of followers) links.set(outbound ? leader.name : f.name, outbound ? f.name : leader.name, { mode: "blackhole" });
          detail = outbound ? `blackhole ${leader.name}→followers` : `blackhole followers→${leader.name}`;
        } else {
          const lossRate = 0.05 + this.opts.random() * 0.25;
          const delayMs = Math.floor(this.opts.random() * 40);
          for (const a of all) for (const b of all) if (a !== b) links.set(a.name, b.name, { mode: "flaky", lossRate, delayMs, jitterMs: 30 });
          detail = `all links lose ${(lossRate * 100).toFixed(0)}% of messages, delay ${delayMs}+30 ms`;
        }
        await Bun.sleep(this.hold());
        links.heal();
        return detail;
      }
      case "membership": {
        // Add one, then remove one (maybe the leader), so the cluster keeps its size.
        const added = await this.retry(() => this.cluster.addMember());
        await this.cluster.waitForLeader(30_000);
        await Bun.sleep(this.hold());
        const victim = this.pick(all);
        await this.retry(() => this.cluster.removeMember(victim));
        return `added ${added.name}, removed ${victim.name}${victim === leader ? " (the leader)" : ""}`;
      }
      case "snapshot-catchup": {
        if (!links) throw new Error("snapshot catch-up needs a proxied cluster");
        const victim = this.pick(followers);
        links.partition([victim.name], all.filter((m) => m !== victim).map((m) => m.name));
        const before = victim.snapshotsReceived();
        const wrote = await this.fill(this.opts.catchUpWrites, { avoid: victim });
        links.heal();
        const deadline = Date.now() + 20_000;
        while (victim.snapshotsReceived() === before && Date.now() < deadline) await Bun.sleep(100);
        const got = victim.snapshotsReceived() > before;
        return `${victim.name} cut off while ${wrote} writes moved the leader past compaction; ${got ? "it caught up by snapshot" : "NO snapshot was sent to it within 20 s"}`;
      }
    }
  }

  /**
   * The harness already waits out the strict reconfig check's refusals (etcd 3.4's default, and
   * ours); this covers the other ways one request can fail, e.g. the member asked stepping down.
   */
  private async retry<T>(f: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await f();
      } catch (e) {
        if (attempt >= 3) throw e;
        await Bun.sleep(500);
      }
    }
  }

  private endpoints(): string[] {
    return this.cluster.running().map((m) => m.clientURL);
  }

  private async fill(count: number, options: { avoid: ClusterMember }): Promise<number> {
    let done = 0;
    let next = 0;
    const reachable = this.cluster.running().filter((m) => m !== options.avoid).map((m) => m.clientURL);
    const worker = async () => {
      while (next < count && !this.stopped) {
        const i = next++;
        const url = reachable[i % reachable.length]!;
        try {
          const r = await fetch(`${url}/v2/keys/chaos-fill/k${i % 64}`, { method: "PUT", body: new URLSearchParams({ value: String(i) }), signal: AbortSignal.timeout(5000) });
          await r.arrayBuffer();
          if (r.ok) done++;
        } catch {
          // The member we picked is the cut-off one or slow: another worker tries the next.
        }
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    return done;
  }

  /** Time from now until a write commits (tried on every running member in turn). */
  private async awaitWrite(): Promise<number> {
    const started = performance.now();
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const eps = this.endpoints();
      const url = eps[this.probeSeq++ % Math.max(1, eps.length)];
      if (url) {
        try {
          const r = await fetch(`${url}/v2/keys/chaos-probe`, { method: "PUT", body: new URLSearchParams({ value: String(this.probeSeq) }), signal: AbortSignal.timeout(1000) });
          await r.arrayBuffer();
          if (r.ok) return performance.now() - started;
        } catch {
          // Not yet.
        }
      }
      await Bun.sleep(50);
    }
    return performance.now() - started;
  }

  /** Undo every fault: links healed, paused members resumed, stopped ones restarted. */
  async healAll(): Promise<void> {
    this.cluster.links?.heal();
    for (const m of this.cluster.members) {
      if (m.state === "paused") m.resume();
      if (m.state === "stopped") await m.start();
    }
  }
}
