// A long-poll watch as the harness sees it. The next step may only run once the server has
// registered the watch (else a live watch could miss the write); registration is known either
// from the flushed response headers (etcd sends them at registration) or from the server's own
// watcher count in /v2/stats/store, so a server that holds its headers back is still compared
// on the events it delivers, and the flush itself is reported separately.
import type { RunningServer } from "../../support/servers.ts";

export interface OpenWatch {
  /** The response, once its headers have arrived. */
  response: Promise<Response | Error>;
  /** Headers had arrived when the watch was found registered. */
  flushedAtRegistration: boolean;
  /** Neither headers nor a registration were seen in time. */
  lost: boolean;
  abort: AbortController;
  reader?: ReadableStreamDefaultReader<Uint8Array>;
  inflight?: ReturnType<ReadableStreamDefaultReader<Uint8Array>["read"]>;
  buf: string;
  done: boolean;
}

async function watcherCount(server: RunningServer): Promise<number | null> {
  try {
    const r = await fetch(`${server.clientURL}/v2/stats/store`);
    const stats = (await r.json()) as { watchers?: unknown };
    return typeof stats.watchers === "number" ? stats.watchers : null;
  } catch {
    return null;
  }
}

const settled = <T>(p: Promise<T>, ms: number): Promise<T | undefined> => Promise.race([p, Bun.sleep(ms).then(() => undefined)]);

export async function openWatch(
  server: RunningServer,
  init: { method: string; path: string; headers: Record<string, string>; body?: string },
  opts: { registrationMs?: number; flushGraceMs?: number } = {},
): Promise<OpenWatch> {
  const before = await watcherCount(server);
  const abort = new AbortController();
  const response = fetch(server.clientURL + init.path, { ...init, signal: abort.signal }).catch((e: unknown) =>
    e instanceof Error ? e : new Error(String(e)),
  );
  const w: OpenWatch = { response, flushedAtRegistration: false, lost: false, abort, buf: "", done: false };
  const deadline = Date.now() + (opts.registrationMs ?? 3000);
  while (Date.now() < deadline) {
    if ((await settled(response, 10)) !== undefined) {
      w.flushedAtRegistration = true;
      return w;
    }
    const now = await watcherCount(server);
    if (before !== null && now !== null && now > before) {
      // Registered: a server that flushes at registration has its headers on the wire by now.
      w.flushedAtRegistration = (await settled(response, opts.flushGraceMs ?? 1500)) !== undefined;
      return w;
    }
  }
  w.lost = true;
  return w;
}

/** Reads until `want(buffer)` holds or the stream ends; false on timeout. */
export async function readUntil(w: OpenWatch, want: (buf: string) => boolean, waitMs: number): Promise<boolean> {
  const deadline = Date.now() + waitMs;
  const dec = new TextDecoder();
  while (!want(w.buf) && !w.done) {
    const left = deadline - Date.now();
    if (left <= 0) return false;
    if (!w.reader) {
      const r = await settled(w.response, left);
      if (r === undefined) return false;
      if (r instanceof Error) {
        w.done = true;
        return true;
      }
      w.reader = r.body!.getReader();
      continue;
    }
    w.inflight ??= w.reader.read();
    const r = await settled(w.inflight, left);
    if (r === undefined) return false;
    w.inflight = undefined;
    if (r.done) w.done = true;
    else w.buf += dec.decode(r.value, { stream: true });
  }
  return true;
}
