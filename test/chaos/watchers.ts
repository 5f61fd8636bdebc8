// Watchers of the whole test prefix. Each follows events with waitIndex one past the last it saw;
// when its member stops answering it resumes on another member from the same index. etcd allows
// exactly two outcomes on resume: the events continue with no gap or duplicate, or error 401
// (history cleared) carrying the current index, after which the watcher starts over from there.
export interface SeenEvent {
  index: number;
  key: string;
  action: string;
  value: string | null;
}

export type WatchMark = { kind: "event"; event: SeenEvent } | { kind: "cleared"; fromIndex: number; toIndex: number };

interface WatchBody {
  errorCode?: number;
  index?: number;
  action?: string;
  node?: { key?: string; value?: string; modifiedIndex?: number };
}

export interface WatcherOptions {
  prefix: string;
  startIndex: number;
  random(): number;
  endpoints(): { name: string; url: string }[];
  /** Give up on a silent member after this long and resume elsewhere. */
  idleMs: number;
}

export class Watcher {
  readonly marks: WatchMark[] = [];
  resumes = 0;
  private next: number;
  readonly startIndex: number;
  private stopped = false;
  private readonly abort = new AbortController();

  constructor(
    readonly id: number,
    private readonly opts: WatcherOptions,
  ) {
    this.next = opts.startIndex;
    this.startIndex = opts.startIndex;
  }

  stop(): void {
    this.stopped = true;
    this.abort.abort();
  }

  async run(): Promise<void> {
    let ep = this.pick();
    while (!this.stopped) {
      if (!ep) {
        await Bun.sleep(100);
        ep = this.pick();
        continue;
      }
      const url = `${ep.url}/v2/keys/${this.opts.prefix}?wait=true&recursive=true&waitIndex=${this.next}`;
      try {
        const r = await fetch(url, { signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.opts.idleMs)]) });
        const body = (await r.json()) as WatchBody;
        if (body.errorCode === 401) {
          const now = body.index ?? Number(r.headers.get("x-etcd-index"));
          this.marks.push({ kind: "cleared", fromIndex: this.next, toIndex: now + 1 });
          this.next = now + 1;
          continue;
        }
        const index = body.node?.modifiedIndex;
        if (r.status !== 200 || index === undefined) throw new Error(`watch answered ${r.status}`);
        this.marks.push({ kind: "event", event: { index, key: body.node?.key ?? "", action: body.action ?? "", value: body.node?.value ?? null } });
        this.next = index + 1;
      } catch {
        if (this.stopped) return;
        // Silent, dead or refusing: resume on another member from the same index.
        this.resumes++;
        ep = this.pick();
        await Bun.sleep(20);
      }
    }
  }

  private pick(): { name: string; url: string } | undefined {
    const eps = this.opts.endpoints();
    return eps[Math.floor(this.opts.random() * eps.length)];
  }
}

export interface WatchVerdict {
  ok: boolean;
  problems: string[];
  events: number;
  cleared: number;
}

/**
 * Each watcher's events must rise strictly (no duplicate, in order); all watchers must agree on
 * what happened at each index; and no watcher may skip an index another one saw inside a span it
 * covered, unless a 401 told it that span was gone.
 */
export function checkWatchers(watchers: readonly Watcher[]): WatchVerdict {
  const problems: string[] = [];
  const byIndex = new Map<number, { e: SeenEvent; by: number }>();
  let events = 0;
  let cleared = 0;
  for (const w of watchers) {
    let last = 0;
    for (const m of w.marks) {
      if (m.kind === "cleared") {
        cleared++;
        continue;
      }
      events++;
      const e = m.event;
      if (e.index <= last) problems.push(`watcher ${w.id}: index ${e.index} after ${last} (duplicate or out of order)`);
      last = e.index;
      const other = byIndex.get(e.index);
      if (!other) byIndex.set(e.index, { e, by: w.id });
      else if (other.e.key !== e.key || other.e.action !== e.action || other.e.value !== e.value) {
        problems.push(`index ${e.index}: watcher ${other.by} saw ${JSON.stringify(other.e)}, watcher ${w.id} saw ${JSON.stringify(e)}`);
      }
    }
  }
  const all = [...byIndex.keys()].sort((a, b) => a - b);
  const firstAbove = (x: number): number => {
    let lo = 0;
    let hi = all.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (all[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    return lo < all.length ? all[lo]! : Infinity;
  };
  for (const w of watchers) {
    // The span a watcher is answerable for starts where it asked to start, or where a 401 sent it.
    let prev = w.startIndex - 1;
    for (const m of w.marks) {
      if (m.kind === "cleared") {
        prev = m.toIndex - 1;
        continue;
      }
      const missed = firstAbove(prev);
      if (missed < m.event.index) problems.push(`watcher ${w.id}: gap between ${prev} and ${m.event.index}: missed index ${missed} that another watcher saw`);
      prev = Math.max(prev, m.event.index);
    }
  }
  return { ok: problems.length === 0, problems, events, cleared };
}
