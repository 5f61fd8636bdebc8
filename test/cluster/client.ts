// Small v2 keys client for the multi-process cluster suites: every call has a timeout, and a
// refused connection is reported as a result, not thrown, so a test can say which member failed.
import { startCluster, type Cluster, type ClusterOptions } from "../support/cluster.ts";

export interface KeyResult {
  status: number;
  /** Parsed JSON body, or null when the body was not JSON. */
  body: { errorCode?: number; message?: string; node?: { value?: string; modifiedIndex?: number }; [k: string]: unknown } | null;
  /** X-Etcd-Index header, NaN when absent. */
  etcdIndex: number;
}

export interface RequestOptions {
  timeoutMs?: number;
  quorum?: boolean;
}

async function asResult(r: Response): Promise<KeyResult> {
  const text = await r.text();
  let body: KeyResult["body"] = null;
  try {
    body = JSON.parse(text);
  } catch {
    body = null;
  }
  return { status: r.status, body, etcdIndex: Number(r.headers.get("x-etcd-index") ?? NaN) };
}

export async function putKey(clientURL: string, key: string, options: RequestOptions & { value: string }): Promise<KeyResult> {
  const r = await fetch(`${clientURL}/v2/keys${key}`, {
    method: "PUT",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: `value=${encodeURIComponent(options.value)}`,
    signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
  });
  return asResult(r);
}

export async function getKey(clientURL: string, key: string, options: RequestOptions = {}): Promise<KeyResult> {
  const q = options.quorum ? "?quorum=true" : "";
  const r = await fetch(`${clientURL}/v2/keys${key}${q}`, { signal: AbortSignal.timeout(options.timeoutMs ?? 5000) });
  return asResult(r);
}

/** Poll until `check` holds or the time is up; returns the last value seen either way. */
export async function eventually<T>(probe: () => Promise<T>, check: (v: T) => boolean, options: { timeoutMs: number; intervalMs?: number }): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    let v: T;
    try {
      v = await probe();
    } catch (e) {
      v = e as T;
    }
    if (check(v) || Date.now() > deadline) return v;
    await Bun.sleep(options.intervalMs ?? 100);
  }
}

/**
 * Write `count` distinct keys under `prefix` with `concurrency` requests in flight, spreading
 * them over the given client URLs; retries a write a few times when a member is briefly busy
 * (e.g. electing), and throws with the last answer when one keeps failing.
 */
export async function writeMany(clientURLs: readonly string[], prefix: string, options: { count: number; concurrency: number; stop?: () => boolean }): Promise<number> {
  let next = 0;
  let done = 0;
  const worker = async (w: number): Promise<void> => {
    for (;;) {
      if (options.stop?.()) return;
      const i = next++;
      if (i >= options.count) return;
      const url = clientURLs[(i + w) % clientURLs.length]!;
      let last = "";
      for (let attempt = 0; ; attempt++) {
        try {
          const r = await putKey(url, `${prefix}/${i}`, { value: String(i) });
          if (r.status === 200 || r.status === 201) break;
          last = `${r.status} ${JSON.stringify(r.body)}`;
        } catch (e) {
          last = String(e);
        }
        if (attempt >= 20) throw new Error(`write ${prefix}/${i} via ${url} kept failing: ${last}`);
        await Bun.sleep(100);
      }
      done++;
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, (_, w) => worker(w)));
  return done;
}

/**
 * startCluster returns once a majority agrees on a leader; a slow member may not serve clients or
 * have published its name yet. Wait until every listed member answers and all are published.
 */
export async function untilAllServing(clientURLs: readonly string[], options: { timeoutMs?: number } = {}): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  let last = "";
  for (;;) {
    const answers = await Promise.all(
      clientURLs.map(async (url) => {
        try {
          const r = await fetch(`${url}/v2/members`, { signal: AbortSignal.timeout(2000) });
          if (r.status !== 200) return `${url}: ${r.status}`;
          const { members } = (await r.json()) as { members: { name: string; clientURLs: string[] }[] };
          const unpublished = members.filter((m) => m.name === "" || m.clientURLs.length === 0).length;
          return unpublished === 0 ? null : `${url}: ${unpublished} unpublished`;
        } catch (e) {
          return `${url}: ${(e as Error).message}`;
        }
      }),
    );
    const problems = answers.filter((a) => a !== null);
    if (problems.length === 0) return;
    last = problems.join("; ");
    if (Date.now() > deadline) throw new Error(`members not all serving: ${last}`);
    await Bun.sleep(100);
  }
}

/** startCluster, then untilAllServing: every member answers and has published its name. */
export async function startServingCluster(options: ClusterOptions): Promise<Cluster> {
  const cluster = await startCluster(options);
  await untilAllServing(cluster.members.map((m) => m.clientURL));
  return cluster;
}
