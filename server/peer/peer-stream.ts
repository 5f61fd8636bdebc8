// One outgoing WebSocket to one peer: a bounded FIFO of Raft messages, batched into binary
// frames, with reconnects under capped exponential backoff. Raft tolerates loss, so when the
// queue is full the oldest message is dropped and the peer reported unreachable.
import type { Message, NodeId } from "../raft/types.ts";
import { BoundedQueue } from "./bounded-queue.ts";
import { ByteWriter } from "./bytes.ts";
import { encodeBatch, encodeBatchInto } from "./codec.ts";
import { classifyRefusal, peerRequestHeaders } from "./headers.ts";
import { PEER_STREAM_PATH, REMOVED_CLOSE_CODE } from "./routes.ts";

export interface PeerStreamOptions {
  selfId: NodeId;
  clusterId: string;
  serverVersion: string;
  tls?: Bun.TLSOptions;
  queueMessagesMax: number;
  queueBytesMax: number;
  backoffMsMin: number;
  backoffMsMax: number;
  pingIntervalMs: number;
  /** Clock for activeSinceMs; the member compares it with its own clock, so they must be the same. */
  nowMs(): number;
  log(line: string): void;
  onUnreachable(id: NodeId): void;
  onRemoved(): void;
}

/** Pause writing while the socket holds this much unsent data, so the queue bound means something. */
const BUFFERED_BYTES_HIGH = 4 << 20;
const BATCH_MESSAGES_MAX = 512;
const BATCH_BYTES_TARGET = 1 << 20;
/** A stream with no pong for this long (or three ping intervals) is presumed half-open and replaced. */
const PONG_TIMEOUT_MS = 5000;
const BACKPRESSURE_RETRY_MS = 2;
/** A frame buffer grown past this (a large batch) is let go after the send rather than kept. */
const SCRATCH_KEEP_BYTES = 64 << 10;

// The DOM lib's WebSocket type hides Bun's client extensions (headers, tls, ping, terminate).
const BunWebSocket = WebSocket as unknown as new (url: string, options?: Bun.WebSocketOptions) => Bun.WebSocket;
type BunWebSocket = Bun.WebSocket;

function streamURL(peerURL: string): string {
  const u = new URL(PEER_STREAM_PATH, peerURL);
  u.protocol = u.protocol === "https:" ? "wss:" : "ws:";
  return u.toString();
}

export class PeerStream {
  private readonly queue: BoundedQueue;
  /** Frames are encoded here and copied by ws.send, so a frame costs no allocation of its own. */
  private scratch = new ByteWriter(4096);
  private ws: BunWebSocket | null = null;
  private closed = false;
  private stopped = false;
  private urlIndex = 0;
  private backoffMs: number;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private pingTimer: ReturnType<typeof setInterval> | null = null;
  private flushTimer: ReturnType<typeof setTimeout> | null = null;
  private flushScheduled = false;
  private pingSentAt = 0;
  private lastPongAt = 0;
  private mismatchLogged = false;
  private dropsSinceReport = 0;
  /** When the stream came up (opts.nowMs clock); null while it is down. */
  private connectedSinceMs: number | null = null;
  readonly counters = { sentMessages: 0, sentBytes: 0, droppedMessages: 0, rttMs: null as number | null };

  constructor(
    readonly id: NodeId,
    private urls: string[],
    private readonly opts: PeerStreamOptions,
  ) {
    this.backoffMs = opts.backoffMsMin;
    this.queue = new BoundedQueue({ messagesMax: opts.queueMessagesMax, bytesMax: opts.queueBytesMax });
    this.connect();
  }

  get isConnected(): boolean {
    return this.connectedSinceMs !== null;
  }

  /** Since when the stream has been up without a break (etcd's activeSince); null while down. */
  get activeSinceMs(): number | null {
    return this.connectedSinceMs;
  }

  get queuedMessages(): number {
    return this.queue.length;
  }

  setURLs(urls: string[]): void {
    this.urls = urls;
    this.urlIndex = 0;
    // A stream to an old address keeps working only by accident; start over on the new ones.
    if (this.ws !== null) this.ws.close(1000, "peer URLs updated");
    else if (this.reconnectTimer === null) this.connect();
  }

  enqueue(m: Message): void {
    if (this.stopped) return;
    const dropped = this.queue.push(m);
    this.counters.droppedMessages += dropped;
    this.dropsSinceReport += dropped;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      // Messages queued in the same turn (one Ready) leave in one frame.
      queueMicrotask(this.flushQueued);
    }
  }

  /** The batch's frame, valid until the next encode; null when none of it could be encoded. */
  private encode(batch: Message[]): { frame: Uint8Array; count: number } | null {
    try {
      return { frame: encodeBatchInto(this.scratch, batch), count: batch.length };
    } catch (e) {
      // One bad message (CodecError, or a malformed object) must not take the batch, or the member, with it.
      const good = batch.filter((m) => {
        try {
          encodeBatch([m]);
          return true;
        } catch {
          this.opts.log(`peer ${this.id}: dropped unencodable message type ${m.type}: ${(e as Error).message}`);
          this.counters.droppedMessages++;
          return false;
        }
      });
      return good.length > 0 ? { frame: encodeBatchInto(this.scratch, good), count: good.length } : null;
    }
  }

  // Bound once: at one client every Ready queues a flush per follower.
  private readonly flushQueued = (): void => this.flush();

  private flush(): void {
    this.flushScheduled = false;
    if (this.dropsSinceReport > 0) {
      this.dropsSinceReport = 0;
      this.opts.onUnreachable(this.id);
    }
    const ws = this.ws;
    if (this.connectedSinceMs === null || ws === null) return;
    while (this.queuedMessages > 0 && ws.bufferedAmount < BUFFERED_BYTES_HIGH) {
      const encoded = this.encode(this.queue.take({ messagesMax: BATCH_MESSAGES_MAX, bytesTarget: BATCH_BYTES_TARGET }));
      if (encoded === null) continue;
      ws.send(encoded.frame);
      this.counters.sentMessages += encoded.count;
      this.counters.sentBytes += encoded.frame.length;
    }
    if (this.scratch.allocatedBytes > SCRATCH_KEEP_BYTES) this.scratch = new ByteWriter(4096);
    if (this.queuedMessages > 0 && this.flushTimer === null) {
      this.flushTimer = setTimeout(() => {
        this.flushTimer = null;
        this.flush();
      }, BACKPRESSURE_RETRY_MS);
    }
  }

  private connect(): void {
    if (this.closed || this.stopped || this.urls.length === 0) return;
    const peerURL = this.urls[this.urlIndex % this.urls.length]!;
    const headers = peerRequestHeaders({ selfId: this.opts.selfId, clusterId: this.opts.clusterId, to: this.id, serverVersion: this.opts.serverVersion });
    let ws: BunWebSocket;
    try {
      ws = new BunWebSocket(streamURL(peerURL), { headers, tls: this.opts.tls, perMessageDeflate: false });
    } catch (e) {
      this.opts.log(`peer ${this.id}: cannot dial ${peerURL}: ${(e as Error).message}`);
      this.scheduleReconnect();
      return;
    }
    ws.binaryType = "arraybuffer";
    this.ws = ws;
    let opened = false;
    ws.onopen = () => {
      opened = true;
      this.connectedSinceMs = this.opts.nowMs();
      this.backoffMs = this.opts.backoffMsMin;
      this.mismatchLogged = false;
      this.lastPongAt = performance.now();
      this.startPings(ws);
      this.flush();
    };
    ws.addEventListener("pong", () => {
      this.lastPongAt = performance.now();
      this.counters.rttMs = this.lastPongAt - this.pingSentAt;
    });
    ws.onclose = (ev: CloseEvent) => {
      if (this.ws === ws) this.ws = null;
      this.stopPings();
      const wasConnected = this.connectedSinceMs !== null;
      this.connectedSinceMs = null;
      if (this.closed) return;
      if (ev.code === REMOVED_CLOSE_CODE) return this.removed();
      if (wasConnected) this.opts.log(`peer ${this.id}: stream closed (${ev.code}${ev.reason ? " " + ev.reason : ""})`);
      this.opts.onUnreachable(this.id);
      if (!opened) void this.probe(peerURL, headers).finally(() => this.scheduleReconnect());
      else this.scheduleReconnect();
    };
  }

  /** A failed upgrade hides the HTTP status; ask again over plain HTTP to learn why we were refused. */
  private async probe(peerURL: string, headers: Record<string, string>): Promise<void> {
    let res: Response;
    try {
      res = await fetch(new URL(PEER_STREAM_PATH, peerURL), { headers, tls: this.opts.tls, signal: AbortSignal.timeout(2000) });
    } catch {
      this.urlIndex++;
      return; // unreachable: try the next URL after the backoff
    }
    const refusal = await classifyRefusal(res);
    if (refusal.kind === "removed") return this.removed();
    if (refusal.kind === "clusterMismatch") {
      if (!this.mismatchLogged) {
        this.mismatchLogged = true;
        this.opts.log(
          `request sent was ignored (cluster ID mismatch: peer[${this.id}]=${refusal.theirClusterId}, local=${this.opts.clusterId})`,
        );
      }
    }
  }

  private removed(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.queue.clear();
    this.opts.log(`peer ${this.id}: this member has been permanently removed from the cluster`);
    this.opts.onRemoved();
  }

  private scheduleReconnect(): void {
    if (this.closed || this.stopped || this.reconnectTimer !== null) return;
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, this.opts.backoffMsMax);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.connect();
    }, delay);
  }

  private startPings(ws: BunWebSocket): void {
    this.stopPings();
    this.pingTimer = setInterval(() => {
      const timeoutMs = Math.max(PONG_TIMEOUT_MS, 3 * this.opts.pingIntervalMs);
      if (performance.now() - this.lastPongAt > timeoutMs) {
        this.opts.log(`peer ${this.id}: no pong for ${timeoutMs} ms, redialing`);
        ws.terminate();
        return;
      }
      this.pingSentAt = performance.now();
      ws.ping();
    }, this.opts.pingIntervalMs);
  }

  private stopPings(): void {
    if (this.pingTimer !== null) clearInterval(this.pingTimer);
    this.pingTimer = null;
  }

  close(): void {
    this.closed = true;
    if (this.reconnectTimer !== null) clearTimeout(this.reconnectTimer);
    if (this.flushTimer !== null) clearTimeout(this.flushTimer);
    this.stopPings();
    this.ws?.close(1000, "transport closed");
    this.ws = null;
    this.connectedSinceMs = null;
  }
}
