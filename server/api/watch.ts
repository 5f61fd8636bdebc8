// Watches on /v2/keys: etcd's long poll (one event line), stream=true (one line per event) and,
// when the client accepts text/event-stream, Server-Sent Events that resume by Last-Event-ID.
import { parseGoUint } from "../config/go-values.ts";
import type { Member } from "../member/types.ts";
import { EtcdError, type EventJSON, type Watcher } from "../store/types.ts";
import { JSON_TYPE, keysErrorResponse } from "./http.ts";
import type { KeysRequest } from "./keys-request.ts";
import { goJSON } from "./go-json.ts";
import { eventJSON } from "./paths.ts";

export interface WatchSettings {
  /** Interval of `: heartbeat` comments on SSE streams (keeps proxies from closing idle streams). */
  sseHeartbeatMs: number;
}

const encoder = new TextEncoder();

function wantsEventStream(request: Request): boolean {
  return (request.headers.get("accept") ?? "").includes("text/event-stream");
}

/** An EventSource reconnecting sends the id of the last event it saw; resume right after it. */
function resumeIndex(request: Request, waitIndex: number): number {
  const last = request.headers.get("last-event-id");
  const id = last === null ? null : parseGoUint(last.trim());
  return id === null ? waitIndex : id + 1;
}

function sseEvent(ev: EventJSON): string {
  const id = ev.node?.modifiedIndex;
  return `${id === undefined ? "" : `id: ${id}\n`}data: ${eventJSON(ev)}\n\n`;
}

/**
 * Bun.serve (1.4) holds a streamed response's header block back until the first body byte
 * (oven-sh/bun#33660), while etcd clients expect the headers at registration (the Go client's
 * header timeout would fire on a quiet watch). So a watch with no event ready within this time
 * writes one "\n" first: JSON whitespace that every decoder skips. Immediate answers (history
 * hits) stay byte-exact.
 */
const HEADER_FLUSH_MS = 10;
const NOT_YET = Symbol("not yet");

interface BodyOptions {
  format: (ev: EventJSON) => string;
  once: boolean;
  /** Written at once (SSE comment), which also commits the headers. */
  preamble?: string;
  heartbeatMs?: number;
}

/** Pumps watcher events into a response body until the watcher ends or the client leaves. */
function eventBody(watcher: Watcher, opts: BodyOptions): ReadableStream<Uint8Array> {
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  let headersCommitted = opts.preamble !== undefined;
  let pending: Promise<EventJSON | null> | null = null;
  const finish = () => {
    clearInterval(heartbeat);
    watcher.remove();
  };
  return new ReadableStream<Uint8Array>({
    start(controller) {
      if (opts.preamble) controller.enqueue(encoder.encode(opts.preamble));
      if (opts.heartbeatMs) {
        heartbeat = setInterval(() => {
          try {
            controller.enqueue(encoder.encode(": heartbeat\n\n"));
          } catch {
            finish();
          }
        }, opts.heartbeatMs);
      }
    },
    async pull(controller) {
      pending ??= watcher.next();
      if (!headersCommitted) {
        headersCommitted = true;
        const first = await Promise.race([pending, Bun.sleep(HEADER_FLUSH_MS).then(() => NOT_YET)]);
        if (first === NOT_YET) {
          controller.enqueue(encoder.encode("\n"));
          return;
        }
      }
      const ev = await pending;
      pending = null;
      if (ev === null) {
        finish();
        controller.close();
        return;
      }
      controller.enqueue(encoder.encode(opts.format(ev)));
      if (opts.once) {
        finish();
        controller.close();
      }
    },
    cancel: finish,
  });
}

function sseError(err: EtcdError, headers: Record<string, string>): Response {
  const body = `event: error\ndata: ${goJSON(err.toJSON())}\n\n`;
  return new Response(body, { status: 200, headers: { ...headers, "X-Etcd-Index": String(err.index) } });
}

export function watchResponse(
  request: Request,
  target: { kr: KeysRequest; path: string },
  ctx: WatchSettings & { member: Member },
): Response {
  const { kr, path } = target;
  const m = ctx.member;
  const sse = kr.stream && wantsEventStream(request);
  const baseHeaders: Record<string, string> = {
    "Content-Type": sse ? "text/event-stream" : JSON_TYPE,
    "X-Etcd-Cluster-Id": m.clusterId,
  };
  if (sse) baseHeaders["Cache-Control"] = "no-cache";
  let watcher: Watcher;
  try {
    const sinceIndex = sse ? resumeIndex(request, kr.waitIndex) : kr.waitIndex;
    watcher = m.store.watch(path, { recursive: kr.recursive, stream: kr.stream, sinceIndex });
  } catch (e) {
    // A stream that fell out of history must say so, never skip silently.
    if (sse && e instanceof EtcdError) return sseError(e, baseHeaders);
    return keysErrorResponse(e, m.clusterId);
  }
  request.signal?.addEventListener("abort", () => watcher.remove(), { once: true });
  const body = sse
    ? eventBody(watcher, { format: sseEvent, once: false, preamble: ": watching\n\n", heartbeatMs: ctx.sseHeartbeatMs })
    : eventBody(watcher, { format: (ev) => eventJSON(ev) + "\n", once: !kr.stream });
  return new Response(body, {
    status: 200,
    headers: {
      ...baseHeaders,
      "X-Etcd-Index": String(watcher.startIndex),
      "X-Raft-Index": String(m.raftIndex()),
      "X-Raft-Term": String(m.raftTerm()),
    },
  });
}
