// Concurrent keep-alive clients doing v2 PUTs of `${prefix}/k${i}`: either every i in [0, keys)
// once (bulk loading), or fresh keys until a deadline (throughput). Returns acknowledged writes.
export interface PutLoadOptions {
  clients: number;
  prefix?: string;
  /** Write each of keys 0..keys-1 once, then stop. */
  keys?: number;
  /** Or write fresh keys for this long. */
  seconds?: number;
  valueBytes?: number;
  /** Called now and then with the number of acknowledged writes so far. */
  onProgress?: (acked: number) => void;
}

export interface PutLoadResult {
  acked: number;
  failed: number;
  /** The first few failures (status and body, or the fetch error), to say why. */
  failures: string[];
  elapsedMs: number;
}

export async function putLoad(baseURL: string, options: PutLoadOptions): Promise<PutLoadResult> {
  const prefix = options.prefix ?? "/bench";
  const body = `value=${"v".repeat(options.valueBytes ?? 16)}`;
  const deadline = options.seconds === undefined ? Infinity : performance.now() + options.seconds * 1000;
  const limit = options.keys ?? Infinity;
  let next = 0;
  let acked = 0;
  let failed = 0;
  const failures: string[] = [];
  const note = (why: string) => {
    failed++;
    if (failures.length < 5) failures.push(why);
  };
  const started = performance.now();
  const client = async () => {
    while (next < limit && performance.now() < deadline) {
      const i = next++;
      try {
        const r = await fetch(`${baseURL}/v2/keys${prefix}/k${i}`, {
          method: "PUT",
          headers: { "Content-Type": "application/x-www-form-urlencoded" },
          body,
        });
        const text = await r.text();
        if (r.status === 200 || r.status === 201) acked++;
        else note(`${prefix}/k${i}: ${r.status} ${text.trim()}`);
      } catch (e) {
        note(`${prefix}/k${i}: ${(e as Error).message}`);
      }
      if (options.onProgress && acked % 10_000 === 0) options.onProgress(acked);
    }
  };
  await Promise.all(Array.from({ length: options.clients }, client));
  return { acked, failed, failures, elapsedMs: performance.now() - started };
}
