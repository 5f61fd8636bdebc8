// The real Transport: one outgoing WebSocket stream per peer for Raft messages, one HTTP POST
// per snapshot, and the peer-port routes. Decision and numbers: bench/peer-stream.ts.
import type { Server } from "bun";
import { MessageType, type Message, type NodeId } from "../raft/types.ts";
import { classifyRefusal, DEFAULT_SERVER_VERSION, peerRequestHeaders } from "./headers.ts";
import { PeerStream } from "./peer-stream.ts";
import { createPeerRoutes, SNAPSHOT_PATH } from "./routes.ts";
import { snapshotBody } from "./snapshot.ts";
import { peerClientTls, peerServerTls } from "./tls.ts";
import type { PeerStats, Transport, TransportOptions } from "./types.ts";

interface Peer {
  urls: string[];
  stream: PeerStream;
  snapshotInFlight: AbortController | null;
  snapshotsSent: number;
  snapshotsFailed: number;
}

export function createTransport(opts: TransportOptions): Transport {
  const log = opts.log ?? ((line: string) => console.error(`etcbun peer: ${line}`));
  const isRemoved = opts.isRemoved ?? (() => false);
  const serverVersion = opts.serverVersion ?? DEFAULT_SERVER_VERSION;
  const nowMs = opts.nowMs ?? Date.now;
  const clientTls = peerClientTls(opts.tls);
  const peers = new Map<NodeId, Peer>();
  const received = new Map<NodeId, { messages: number; bytes: number }>();
  const servers: Server<unknown>[] = [];
  let removedReported = false;
  let closed = false;

  const onRemoved = () => {
    if (removedReported) return;
    removedReported = true;
    opts.onRemoved?.();
  };
  const onUnreachable = (id: NodeId) => opts.onUnreachable?.(id);

  const routes = createPeerRoutes({
    selfId: opts.selfId,
    clusterId: opts.clusterId,
    isRemoved,
    onMessage: opts.onMessage,
    onSnapshot: opts.onSnapshot,
    members: opts.members,
    version: opts.version,
    log,
    countReceived(from, c) {
      const r = received.get(from) ?? { messages: 0, bytes: 0 };
      r.messages += c.messages;
      r.bytes += c.bytes;
      received.set(from, r);
    },
  });

  function addPeer(id: NodeId, urls: string[]): void {
    if (closed || id === opts.selfId || peers.has(id)) return;
    const stream = new PeerStream(id, urls, {
      selfId: opts.selfId,
      clusterId: opts.clusterId,
      serverVersion,
      tls: clientTls,
      queueMessagesMax: opts.queueMessagesMax ?? 4096,
      queueBytesMax: opts.queueBytesMax ?? 64 << 20,
      backoffMsMin: opts.backoffMsMin ?? 50,
      backoffMsMax: opts.backoffMsMax ?? 1000,
      pingIntervalMs: opts.pingIntervalMs ?? 1000,
      nowMs,
      log,
      onUnreachable,
      onRemoved,
    });
    peers.set(id, { urls, stream, snapshotInFlight: null, snapshotsSent: 0, snapshotsFailed: 0 });
  }

  /**
   * The snapshot message with its bytes: read back from the member's file when it holds only the
   * metadata (empty data above index 0); null, logged, when that file cannot be read.
   */
  async function withSnapshotData(m: Message): Promise<Message | null> {
    const snap = m.snapshot!;
    if (snap.data.length > 0 || snap.metadata.index === 0 || !opts.snapshotData) return m;
    try {
      return { ...m, snapshot: { metadata: snap.metadata, data: await opts.snapshotData(snap.metadata) } };
    } catch (e) {
      log(`snapshot to ${m.to}: cannot read snapshot ${snap.metadata.index}: ${(e as Error).message}`);
      return null;
    }
  }

  /** POSTs the snapshot to the peer's URLs until one answers; true when it took it. */
  async function postSnapshot(peer: Peer, m: Message, signal: AbortSignal): Promise<boolean> {
    const headers = peerRequestHeaders({ selfId: opts.selfId, clusterId: opts.clusterId, to: m.to, serverVersion });
    for (const url of peer.urls) {
      try {
        const res = await fetch(new URL(SNAPSHOT_PATH, url), {
          method: "POST",
          headers: { ...headers, "Content-Type": "application/octet-stream" },
          body: snapshotBody(m),
          duplex: "half",
          signal,
          tls: clientTls,
        } as RequestInit);
        if (res.status === 204) return true;
        const refusal = await classifyRefusal(res);
        if (refusal.kind === "removed") onRemoved();
        else if (refusal.kind === "clusterMismatch") {
          log(`request sent was ignored (cluster ID mismatch: peer[${m.to}]=${refusal.theirClusterId}, local=${opts.clusterId})`);
        } else log(`snapshot to ${m.to} refused: ${refusal.status} ${refusal.body}`);
        return false; // the peer answered: another URL of the same member would answer the same
      } catch (e) {
        if (signal.aborted) return false;
        log(`snapshot to ${m.to} via ${url} failed: ${(e as Error).message}`);
      }
    }
    return false;
  }

  async function shipSnapshot(peer: Peer, m: Message): Promise<void> {
    const abort = new AbortController();
    peer.snapshotInFlight = abort;
    // No bytes to send is a failed send: Raft asks again (with the newest snapshot).
    const message = await withSnapshotData(m);
    const ok = message !== null && (await postSnapshot(peer, message, abort.signal));
    peer.snapshotInFlight = null;
    if (ok) peer.snapshotsSent++;
    else {
      peer.snapshotsFailed++;
      onUnreachable(m.to);
    }
    if (!closed) opts.onSnapshotStatus?.(m.to, ok);
  }

  function send(messages: readonly Message[]): void {
    if (closed) return;
    for (const m of messages) {
      const peer = m && peers.get(m.to);
      if (!peer) continue;
      if (m.type === MessageType.Snap && m.snapshot) {
        if (peer.snapshotInFlight !== null) {
          // Raft sends one snapshot at a time; a second one now is stale and fails at once.
          opts.onSnapshotStatus?.(m.to, false);
          continue;
        }
        void shipSnapshot(peer, m).catch((e) => log(`snapshot to ${m.to}: ${(e as Error).message}`));
      } else peer.stream.enqueue(m);
    }
  }

  function listen(url: string): Server<unknown> {
    const u = new URL(url);
    const tls = u.protocol === "https:" ? peerServerTls(opts.tls) : undefined;
    const server = Bun.serve<{ from: NodeId }>({
      hostname: u.hostname.replace(/^\[|\]$/g, ""),
      port: Number(u.port || (u.protocol === "https:" ? 443 : 80)),
      tls,
      maxRequestBodySize: 2 ** 32,
      idleTimeout: 0,
      fetch: (req, srv) => routes.handler(req, srv as Server<unknown>),
      websocket: routes.websocket,
    });
    servers.push(server as Server<unknown>);
    return server as Server<unknown>;
  }

  for (const [id, urls] of opts.peers ?? []) addPeer(id, urls);

  return {
    send,
    addPeer,
    updatePeer(id, urls) {
      const peer = peers.get(id);
      if (peer === undefined) return addPeer(id, urls);
      peer.urls = urls;
      peer.stream.setURLs(urls);
    },
    removePeer(id) {
      const peer = peers.get(id);
      if (peer === undefined) return;
      peer.stream.close();
      peer.snapshotInFlight?.abort();
      peers.delete(id);
      received.delete(id);
    },
    handler: routes.handler,
    websocket: routes.websocket,
    listen,
    activeSinceMs: (id) => peers.get(id)?.stream.activeSinceMs ?? null,
    stats(): PeerStats[] {
      return [...peers].map(([id, p]) => {
        const r = received.get(id) ?? { messages: 0, bytes: 0 };
        return {
          id,
          connected: p.stream.isConnected,
          sentMessages: p.stream.counters.sentMessages,
          sentBytes: p.stream.counters.sentBytes,
          recvMessages: r.messages,
          recvBytes: r.bytes,
          droppedMessages: p.stream.counters.droppedMessages,
          rttMs: p.stream.counters.rttMs,
          activeSinceMs: p.stream.activeSinceMs,
          snapshotsSent: p.snapshotsSent,
          snapshotsFailed: p.snapshotsFailed,
        };
      });
    },
    async close() {
      closed = true;
      for (const p of peers.values()) {
        p.stream.close();
        p.snapshotInFlight?.abort();
      }
      peers.clear();
      await Promise.all(servers.map((s) => s.stop(true)));
      servers.length = 0;
    },
  };
}
