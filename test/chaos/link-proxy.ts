// A TCP proxy in front of one member's peer port. Members advertise the proxy's URL and listen
// elsewhere, so every connection a peer opens to this member passes here. The proxy reads the
// request head for X-Server-From (the dialing member's ID), which names the link, and then
// obeys that link's rule for the bytes the dialer sends: pass, cut (connections reset and
// refused), blackhole (accepted, bytes swallowed), or flaky (each WebSocket message dropped with
// some probability and the rest delayed, in order). Only the dialer-to-member direction is
// shaped, which makes one-way faults possible: etcbun sends each direction on its own stream.
import { createServer, connect, type Server, type Socket } from "node:net";

export type LinkMode = "ok" | "cut" | "blackhole" | "flaky";

export interface LinkRule {
  mode: LinkMode;
  /** flaky: probability that one WebSocket message (or, on plain HTTP, the connection) is lost. */
  lossRate?: number;
  delayMs?: number;
  jitterMs?: number;
}

export interface LinkProxyOptions {
  /** Name of the member behind this proxy. */
  target: string;
  upstreamPort: number;
  /** Member name for an X-Server-From ID, or undefined when the ID is not known (yet). */
  nameOf(id: string): string | undefined;
  rule(from: string, to: string): LinkRule;
  random(): number;
}

const HEAD_BYTES_MAX = 64 << 10;
const OK: LinkRule = { mode: "ok" };
const SNAPSHOT_REQUEST = "POST /raft/snapshot ";

interface Conn {
  /** The dialer's member ID, "" when the request did not say. */
  from: string;
  client: Socket;
  upstream: Socket | null;
  isStream: boolean;
  /** Unparsed bytes of the WebSocket frame being assembled (after the request head). */
  pending: Buffer;
  /** When the last delayed chunk goes out, so later ones never overtake it. */
  releaseAtMs: number;
  swallowed: boolean;
  destroy(): void;
}

function headerValue(head: string, name: string): string {
  const m = new RegExp(`^${name}:[ \\t]*([^\\r\\n]*?)[ \\t]*\\r?$`, "im").exec(head);
  return m ? m[1]! : "";
}

/** Splits complete WebSocket frames off the front of buf; returns [frames, rest]. */
export function splitFrames(buf: Buffer): [Buffer[], Buffer] {
  const frames: Buffer[] = [];
  let at = 0;
  for (;;) {
    if (buf.length - at < 2) break;
    const b1 = buf[at + 1]!;
    let len = b1 & 0x7f;
    let headLen = 2;
    if (len === 126) {
      if (buf.length - at < 4) break;
      len = buf.readUInt16BE(at + 2);
      headLen = 4;
    } else if (len === 127) {
      if (buf.length - at < 10) break;
      len = Number(buf.readBigUInt64BE(at + 2));
      headLen = 10;
    }
    if (b1 & 0x80) headLen += 4;
    if (buf.length - at < headLen + len) break;
    frames.push(buf.subarray(at, at + headLen + len));
    at += headLen + len;
  }
  return [frames, buf.subarray(at)];
}

function isDroppableFrame(frame: Buffer): boolean {
  // A whole binary message (FIN, opcode 2): a batch of Raft messages. Control frames pass.
  return frame[0] === 0x82;
}

export class LinkProxy {
  private readonly server: Server;
  private readonly conns = new Set<Conn>();
  port = 0;
  /** Snapshot uploads (POST /raft/snapshot) that reached this member, to tell a snapshot catch-up happened. */
  snapshotsReceived = 0;

  constructor(private readonly opts: LinkProxyOptions) {
    this.server = createServer((client) => this.accept(client));
  }

  listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, "127.0.0.1", () => {
        const a = this.server.address();
        this.port = typeof a === "object" && a ? a.port : port;
        resolve();
      });
    });
  }

  /** Rules changed: reset the connections of links that are now cut. */
  refresh(): void {
    for (const c of this.conns) if (this.ruleFor(c.from).mode === "cut") c.destroy();
  }

  close(): Promise<void> {
    for (const c of this.conns) c.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** Resolved on every use: connections open before the cluster has told us who is who. */
  private ruleFor(fromId: string): LinkRule {
    if (fromId === "") return OK;
    return this.opts.rule(this.opts.nameOf(fromId) ?? `id:${fromId}`, this.opts.target);
  }

  private accept(client: Socket): void {
    client.setNoDelay(true);
    let head = Buffer.alloc(0);
    const conn: Conn = {
      from: "",
      client,
      upstream: null,
      isStream: false,
      pending: Buffer.alloc(0),
      releaseAtMs: 0,
      swallowed: false,
      destroy: () => {
        client.destroy();
        conn.upstream?.destroy();
        this.conns.delete(conn);
      },
    };
    client.on("error", () => conn.destroy());
    client.on("close", () => conn.destroy());
    const onHead = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf("\r\n\r\n");
      if (end < 0) {
        if (head.length > HEAD_BYTES_MAX) conn.destroy();
        return;
      }
      client.off("data", onHead);
      const text = head.subarray(0, end).toString("latin1");
      const id = headerValue(text, "X-Server-From").toLowerCase().replace(/^0+(?=.)/, "");
      conn.from = id;
      conn.isStream = /^GET \/raft\/stream/.test(text) && /upgrade:\s*websocket/i.test(text);
      if (text.startsWith(SNAPSHOT_REQUEST)) this.snapshotsReceived++;
      if (this.ruleFor(conn.from).mode === "cut") {
        conn.destroy();
        return;
      }
      this.conns.add(conn);
      const upstream = connect(this.opts.upstreamPort, "127.0.0.1");
      upstream.setNoDelay(true);
      conn.upstream = upstream;
      upstream.on("error", () => conn.destroy());
      upstream.on("close", () => conn.destroy());
      upstream.on("data", (d) => client.write(d));
      // The head itself always passes: a shaped link fails the way a slow or lossy network
      // does, after the connection is up.
      upstream.write(head.subarray(0, end + 4));
      client.on("data", (d: Buffer) => this.forward(conn, d));
      const rest = head.subarray(end + 4);
      if (rest.length > 0) this.forward(conn, rest);
    };
    client.on("data", onHead);
  }

  private forward(conn: Conn, data: Buffer): void {
    const rule = this.ruleFor(conn.from);
    if (rule.mode === "cut") return conn.destroy();
    const loss = rule.mode === "flaky" ? (rule.lossRate ?? 0) : 0;
    let out: Buffer;
    if (conn.isStream) {
      // Always cut at frame boundaries, so a link that changes rule mid-frame stays well-formed.
      const [frames, rest] = splitFrames(conn.pending.length > 0 ? Buffer.concat([conn.pending, data]) : data);
      conn.pending = Buffer.from(rest);
      const kept = rule.mode === "blackhole" ? [] : frames.filter((f) => !(loss > 0 && isDroppableFrame(f) && this.opts.random() < loss));
      if (kept.length === 0) return;
      out = kept.length === 1 ? kept[0]! : Buffer.concat(kept);
    } else {
      // Later requests on a kept-alive connection: their heads pass here, not through accept().
      if (data.includes(SNAPSHOT_REQUEST)) this.snapshotsReceived++;
      // A plain request once swallowed stays swallowed: resuming mid-body would corrupt it.
      if (rule.mode === "blackhole") conn.swallowed = true;
      if (conn.swallowed) return;
      if (loss > 0 && this.opts.random() < loss) return conn.destroy();
      out = data;
    }
    const delay = rule.mode === "flaky" ? (rule.delayMs ?? 0) + (rule.jitterMs ?? 0) * this.opts.random() : 0;
    const now = Date.now();
    if (delay === 0 && conn.releaseAtMs <= now) {
      conn.upstream!.write(out);
      return;
    }
    const at = Math.max(conn.releaseAtMs, now + delay);
    conn.releaseAtMs = at;
    setTimeout(() => {
      if (conn.upstream && !conn.upstream.destroyed) conn.upstream.write(out);
    }, at - now);
  }
}
