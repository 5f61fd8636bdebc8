import { expect, test } from "bun:test";
import { collectWhenIdle } from "./idle-gc.ts";

test("one collection per burst of writes, once the store index has stood still for an interval", async () => {
  let index = 10;
  let collections = 0;
  const stop = collectWhenIdle(() => index, { intervalMs: 20, collect: () => collections++ });
  try {
    await Bun.sleep(100);
    expect(collections).toBe(0); // nothing written since start: nothing to collect
    for (let i = 0; i < 5; i++) {
      index += 100;
      await Bun.sleep(10);
    }
    await Bun.sleep(120);
    // At least one (a slow machine may have paused mid-burst for a whole interval).
    const afterBurst = collections;
    expect(afterBurst).toBeGreaterThanOrEqual(1);
    await Bun.sleep(100);
    expect(collections).toBe(afterBurst); // still idle: no further collection
    index++;
    await Bun.sleep(120);
    expect(collections).toBe(afterBurst + 1);
  } finally {
    stop();
  }
});
