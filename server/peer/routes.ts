// The peer port: Raft stream upgrades, snapshot uploads, `/members` and `/version`. Every Raft
// route checks cluster ID and removal first, so a foreign or removed member never gets through.
import type { Server, WebSocketHandler } from "bun";
import type { MemberJSON } from "../../shared/v2.ts";
import type { Message, NodeId } from "../raft/types.ts";
import { CodecError, decodeBatch } from "./codec.ts";
import { checkPeerRequest, H_CLUSTER_ID, H_SERVER_FROM, plainText } from "./headers.ts";
import { membersToPeerJSON } from "./members-json.ts";
import { readSnapshotBody } from "./snapshot.ts";

export const PEER_STREAM_PATH = "/raft/stream";
export const SNAPSHOT_PATH = "/raft/snapshot";
/** Close code telling a stream's sender it was removed (the WebSocket twin of HTTP 410). */
export const REMOVED_CLOSE_CODE = 4410;
const BAD_FRAME_CLOSE_CODE = 1007;

export interface StreamSocketData {
  from: NodeId;
}

export interface PeerRoutesDeps {
  selfId: NodeId;
  clusterId: string;
  isRemoved(id: NodeId): boolean;
  onMessage(msg: Message): void;
  onSnapshot(msg: Message): Promise<void>;
  members?(): MemberJSON[];
  version?(): unknown;
  /** Bytes and messages received from a peer, for stats. */
  countReceived(from: NodeId, opts: { messages: number; bytes: number }): void;
  log(line: string): void;
}

function methodNotAllowed(allow: string): Response {
  return plainText(405, "Method Not Allowed\n", { Allow: allow });
}

export function createPeerRoutes(deps: PeerRoutesDeps): {
  handler(req: Request, server?: Server<unknown>): Response | Promise<Response> | undefined;
  websocket: WebSocketHandler<StreamSocketData>;
} {
  const check = (req: Request) => checkPeerRequest(req, deps);

  async function receiveSnapshot(req: Request): Promise<Response> {
    const from = (req.headers.get(H_SERVER_FROM) ?? "").toLowerCase();
    let msg: Message;
    try {
      if (req.body === null) throw new CodecError("empty snapshot body");
      msg = await readSnapshotBody(req.body);
    } catch (e) {
      deps.log(`snapshot from ${from}: ${(e as Error).message}`);
      return plainText(400, `failed to decode raft snapshot (${(e as Error).message})\n`);
    }
    deps.countReceived(msg.from || from, { messages: 1, bytes: msg.snapshot!.data.length });
    try {
      await deps.onSnapshot(msg);
    } catch (e) {
      deps.log(`snapshot from ${from} rejected: ${(e as Error).message}`);
      return plainText(500, `error processing raft snapshot: ${(e as Error).message}\n`);
    }
    return new Response(null, { status: 204, headers: { [H_CLUSTER_ID]: deps.clusterId } });
  }

  function handler(req: Request, server?: Server<unknown>): Response | Promise<Response> | undefined {
    const path = new URL(req.url).pathname;
    switch (path) {
      case PEER_STREAM_PATH: {
        if (req.method !== "GET") return methodNotAllowed("GET");
        const refused = check(req);
        if (refused) return refused;
        const from = (req.headers.get(H_SERVER_FROM) ?? "").toLowerCase();
        if (from === "") return plainText(400, "missing X-Server-From\n");
        const s = server as Server<StreamSocketData> | undefined;
        if (s && s.upgrade(req, { data: { from } })) return undefined;
        return plainText(426, "websocket upgrade required\n");
      }
      case SNAPSHOT_PATH: {
        if (req.method !== "POST") return methodNotAllowed("POST");
        return check(req) ?? receiveSnapshot(req);
      }
      case "/members": {
        if (req.method !== "GET") return methodNotAllowed("GET");
        const body = membersToPeerJSON(deps.members?.() ?? []);
        return new Response(body, { headers: { "Content-Type": "application/json", "X-Etcd-Cluster-Id": deps.clusterId } });
      }
      case "/version": {
        if (req.method !== "GET") return methodNotAllowed("GET");
        return new Response(JSON.stringify(deps.version?.() ?? {}), { headers: { "Content-Type": "application/json" } });
      }
      default:
        return plainText(404, "404 page not found\n");
    }
  }

  const websocket: WebSocketHandler<StreamSocketData> = {
    maxPayloadLength: 64 << 20,
    perMessageDeflate: false,
    message(ws, data) {
      const from = ws.data.from;
      if (deps.isRemoved(from)) {
        ws.close(REMOVED_CLOSE_CODE, "removed member");
        return;
      }
      if (typeof data === "string") {
        ws.close(BAD_FRAME_CLOSE_CODE, "text frame");
        return;
      }
      let messages: Message[];
      try {
        messages = decodeBatch(data);
      } catch (e) {
        // Whatever the bytes, a bad frame costs the sender its stream, never this member its life.
        deps.log(`stream from ${from}: ${(e as Error).message}; closing`);
        ws.close(BAD_FRAME_CLOSE_CODE, "bad frame");
        return;
      }
      deps.countReceived(from, { messages: messages.length, bytes: data.length });
      for (const m of messages) {
        try {
          deps.onMessage(m);
        } catch (e) {
          deps.log(`onMessage threw for a message from ${from}: ${(e as Error).message}`);
        }
      }
    },
  };

  return { handler, websocket };
}
