// etcd's /v2/stats/store counters. Write counters move when a request is applied (on every
// member alike); get counters only on the member that served the read.
import type { StoreStatsJSON } from "./types.ts";

export type CounterName = Exclude<keyof StoreStatsJSON, "watchers">;

/** The 15 persistent counters, in the order etcd emits them (watchers comes last, live). */
export const COUNTER_NAMES: readonly CounterName[] = [
  "getsSuccess",
  "getsFail",
  "setsSuccess",
  "setsFail",
  "deleteSuccess",
  "deleteFail",
  "updateSuccess",
  "updateFail",
  "createSuccess",
  "createFail",
  "compareAndSwapSuccess",
  "compareAndSwapFail",
  "compareAndDeleteSuccess",
  "compareAndDeleteFail",
  "expireCount",
];

/** The operations counted as a Success/Fail pair. */
const COUNTED_OPS = ["gets", "sets", "delete", "update", "create", "compareAndSwap", "compareAndDelete"] as const;
export type CountedOp = (typeof COUNTED_OPS)[number];

/** Each op's two counter names, built once: a template string per request cost a concatenation and a hash. */
const OUTCOME_NAMES = new Map<CountedOp, { success: CounterName; fail: CounterName }>(
  COUNTED_OPS.map((op) => [op, { success: `${op}Success`, fail: `${op}Fail` }]),
);

export class StoreCounters {
  private values = new Map<CounterName, number>(COUNTER_NAMES.map((n) => [n, 0]));

  inc(name: CounterName): void {
    this.values.set(name, this.values.get(name)! + 1);
  }

  /** Run `fn`, counting it as `<op>Success` or, if it throws, `<op>Fail`. */
  count<T>(op: CountedOp, fn: () => T): T {
    const names = OUTCOME_NAMES.get(op)!;
    let result: T;
    try {
      result = fn();
    } catch (e) {
      this.inc(names.fail);
      throw e;
    }
    this.inc(names.success);
    return result;
  }

  toJSON(watchers: number): StoreStatsJSON {
    const out = {} as StoreStatsJSON;
    for (const name of COUNTER_NAMES) out[name] = this.values.get(name)!;
    out.watchers = watchers;
    return out;
  }

  /** For snapshots: the counters in COUNTER_NAMES order. */
  toArray(): number[] {
    return COUNTER_NAMES.map((n) => this.values.get(n)!);
  }

  static fromArray(values: number[]): StoreCounters {
    const c = new StoreCounters();
    COUNTER_NAMES.forEach((n, i) => c.values.set(n, values[i] ?? 0));
    return c;
  }
}
