// Election jitter must replay from a seed, so Raft never draws from the global random source: the caller injects
// one of these. mulberry32 is small, fast and good enough for timeouts and fault schedules.

export interface Rng {
  /** A uniformly distributed integer in [0, bound). */
  intBelow(bound: number): number;
}

export class SeededRng implements Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  intBelow(bound: number): number {
    return Math.floor(this.next() * bound);
  }

  /** An integer in [lo, hi] inclusive. */
  between(lo: number, hi: number): number {
    return lo + this.intBelow(hi - lo + 1);
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error("pick from an empty list");
    return items[this.intBelow(items.length)]!;
  }
}
