// Process-level memory hygiene for the member started by main.ts.

/**
 * A full collection once the member goes quiet: after a burst, JavaScriptCore keeps the garbage
 * of hundreds of thousands of requests resident until allocation pressure returns, and mimalloc
 * can only give back pages a collection has freed. One collection per burst, taken when the
 * activity count (writes applied plus requests received) has not moved for a whole interval,
 * costs tens of milliseconds of an idle loop and returns that memory.
 */
export function collectWhenIdle(
  activity: () => number,
  opts: { intervalMs: number; log?: (line: string) => void; collect?: () => void },
): () => void {
  const collect = opts.collect ?? (() => Bun.gc(true));
  let lastSeen = activity();
  let collectedAt = lastSeen;
  const timer = setInterval(() => {
    const now = activity();
    if (now === lastSeen && now !== collectedAt) {
      collectedAt = now;
      const t0 = performance.now();
      collect();
      opts.log?.(`idle collection took ${(performance.now() - t0).toFixed(1)} ms`);
    }
    lastSeen = now;
  }, opts.intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
