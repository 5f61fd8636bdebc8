// The seam between the member run loop and the network to the other members. The transport
// only moves Raft messages and snapshots; it knows nothing of terms, leaders or logs.
import type { Server, WebSocketHandler } from "bun";
import type { MemberJSON } from "../../shared/v2.ts";
import type { Message, NodeId, SnapshotMetadata } from "../raft/types.ts";

export interface PeerTlsOptions {
  certFile?: string;
  keyFile?: string;
  /** CA that signs peer certificates; used to verify the peers we dial and, with clientCertAuth, those dialing us. */
  caFile?: string;
  /** Require peers dialing us to present a certificate signed by caFile. */
  clientCertAuth?: boolean;
}

export interface TransportOptions {
  selfId: NodeId;
  clusterId: string;
  /** Known peers (excluding self) and their peer URLs. */
  peers?: Map<NodeId, string[]>;
  /** A Raft message from a peer, in the order that peer sent it. Must not throw. */
  onMessage(msg: Message): void;
  /** A MsgSnap with its full payload; resolve once it is handed over, reject to tell the sender it failed. */
  onSnapshot(msg: Message): Promise<void>;
  /** A peer could not be reached or dropped messages; the member tells Raft (MsgUnreachable). */
  onUnreachable?(peerId: NodeId): void;
  /**
   * The data of a snapshot Raft asked to send whose bytes the member no longer holds (empty data
   * at an index above 0): read back from its file. Without it such a snapshot is sent as it is.
   */
  snapshotData?(m: SnapshotMetadata): Promise<Uint8Array>;
  /** Outcome of a snapshot we sent; the member tells Raft (MsgSnapStatus). */
  onSnapshotStatus?(peerId: NodeId, ok: boolean): void;
  /** A peer answered that this member was removed from the cluster; the member must stop. Called once. */
  onRemoved?(): void;
  /** Members removed from the cluster: their requests are refused with 410. */
  isRemoved?(peerId: NodeId): boolean;
  /** Source of the peer-port `GET /members` answer. */
  members?(): MemberJSON[];
  /** Source of the peer-port `GET /version` document. */
  version?(): unknown;
  tls?: PeerTlsOptions;
  serverVersion?: string;
  /** Messages queued per peer before the oldest are dropped. */
  queueMessagesMax?: number;
  /** Approximate payload bytes queued per peer before the oldest messages are dropped. */
  queueBytesMax?: number;
  backoffMsMin?: number;
  backoffMsMax?: number;
  /** How often each stream is pinged to measure round-trip time and notice a dead connection. */
  pingIntervalMs?: number;
  /** Wall clock in ms stamping when peer streams came up (activeSinceMs); Date.now unless a test steers it. */
  nowMs?(): number;
  log?(line: string): void;
}

export interface PeerStats {
  id: NodeId;
  connected: boolean;
  sentMessages: number;
  sentBytes: number;
  recvMessages: number;
  recvBytes: number;
  droppedMessages: number;
  /** Last measured round trip on the stream, or null before the first measurement. */
  rttMs: number | null;
  /** Since when (TransportOptions.nowMs clock) the stream to the peer has been up without a break; null while down. */
  activeSinceMs: number | null;
  snapshotsSent: number;
  snapshotsFailed: number;
}

/**
 * Usage from the member run loop:
 *   const t = createTransport({ selfId, clusterId, peers, onMessage: (m) => raft.step(m),
 *     onSnapshot: async (m) => raft.step(m), onUnreachable: (id) => raft.reportUnreachable(id),
 *     onSnapshotStatus: (id, ok) => raft.reportSnapshot(id, { failed: !ok }), onRemoved: stopMember,
 *     isRemoved, members: () => cluster.members(), version: () => versionDoc, tls });
 *   for (const url of listenPeerURLs) t.listen(url);
 *   // after persisting each Ready: t.send(ready.messages)
 * Messages to unknown peers are dropped; add peers as conf changes apply (addPeer/removePeer).
 */
export interface Transport {
  /** Queue messages for their `to` peers. Never blocks, never throws; unknown peers are dropped. */
  send(messages: readonly Message[]): void;
  addPeer(id: NodeId, urls: string[]): void;
  updatePeer(id: NodeId, urls: string[]): void;
  removePeer(id: NodeId): void;
  /** Peer-port routes. Pass the Bun server so `/raft/stream` can upgrade to a WebSocket. */
  handler(req: Request, server?: Server<unknown>): Response | Promise<Response> | undefined;
  /** For a caller running its own Bun.serve: pass as its `websocket` option alongside `handler`. */
  readonly websocket: WebSocketHandler<{ from: NodeId }>;
  /** Serve the peer routes on one listen URL (http or https); stopped by close(). */
  listen(url: string): Server<unknown>;
  /**
   * Since when the stream to `id` has been up without a break, on the nowMs clock; null while it
   * is down or the peer is unknown. etcd's Transporter.ActiveSince, for the strict reconfig check.
   */
  activeSinceMs(id: NodeId): number | null;
  stats(): PeerStats[];
  close(): Promise<void>;
}
