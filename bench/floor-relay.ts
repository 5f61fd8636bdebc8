// The floor under a one-client write to a 3-member cluster in Bun: three processes wired as an
// etcbun cluster is (Bun.serve for clients and peers, a WebSocket dialled to each peer), doing
// only what any replicated write must do and nothing an etcd-compatible server adds.
//
// leader:   reads the PUT's body, appends a record to its log file (write + fdatasync), sends it
//           to both followers, answers the client with an etcd-sized JSON body once one follower
//           has acknowledged (a majority of three).
// follower: appends each record to its log file (write + fdatasync) and acknowledges it.
//
// No Raft, no store, no routing, no JSON parsing: what etcbun's one-client 3-member row could reach
// at best in this runtime on this machine. Started by bench/floor.ts:
//   bun bench/floor-relay.ts <role> <dir> <client-port> <peer-port> <peer-port-1> <peer-port-2>
// A follower's first peer port is the leader's.
import { closeSync, fdatasyncSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";

const [role, dir, clientPortArg, peerPortArg, ...peerPortArgs] = process.argv.slice(2);
if ((role !== "leader" && role !== "follower") || !dir || !peerPortArg || peerPortArgs.length !== 2) {
  console.error("usage: floor-relay.ts leader|follower <dir> <client-port> <peer-port> <peer-port-1> <peer-port-2>");
  process.exit(2);
}
const peerPort = Number(peerPortArg);
const log = openSync(join(dir, `${role}-${peerPort}.log`), "a");
let logOffset = 0;
function append(record: Uint8Array): void {
  logOffset += writeSync(log, record, 0, record.length, logOffset);
  fdatasyncSync(log);
}

// Acknowledgements waiting at the leader, oldest first: one client means at most one at a time,
// but the structure does not rely on it.
const waiting: { seq: number; done: () => void }[] = [];
let acked = 0;

Bun.serve({
  hostname: "127.0.0.1",
  port: peerPort,
  fetch: (req, server) => (server.upgrade(req) ? undefined : new Response("peer stream only", { status: 400 })),
  websocket: {
    perMessageDeflate: false,
    message(_ws, data) {
      if (typeof data === "string") return;
      if (role === "follower") {
        append(data);
        const ack = new Uint8Array(16);
        new DataView(ack.buffer).setFloat64(0, new DataView(data.buffer, data.byteOffset).getFloat64(0));
        outs[0]!.send(ack); // the leader's peer port comes first
        return;
      }
      const seq = new DataView(data.buffer, data.byteOffset).getFloat64(0);
      if (seq <= acked) return; // the second follower's acknowledgement of a write already answered
      acked = seq;
      while (waiting.length > 0 && waiting[0]!.seq <= seq) waiting.shift()!.done();
    },
  },
});

async function dial(port: number): Promise<WebSocket> {
  for (let attempt = 0; ; attempt++) {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { perMessageDeflate: false } as unknown as string[]);
    const opened = await new Promise<boolean>((resolve) => {
      ws.onopen = () => resolve(true);
      ws.onerror = () => resolve(false);
    });
    if (opened) return ws;
    if (attempt > 100) throw new Error(`cannot reach peer port ${port}`);
    await Bun.sleep(50);
  }
}
// A follower answers on its own stream to the leader, as etcbun's members do; it dials both peers
// the same way so every process holds the same connections.
const outs = await Promise.all(peerPortArgs.map((p) => dial(Number(p))));

if (role === "leader") {
  let seq = 0;
  let index = 1000;
  const encoder = new TextEncoder();
  Bun.serve({
    hostname: "127.0.0.1",
    port: Number(clientPortArg),
    async fetch(req) {
      const body = await req.text();
      const key = new URL(req.url).pathname;
      const n = ++seq;
      const keyBytes = encoder.encode(key + "\n" + body);
      const record = new Uint8Array(16 + keyBytes.length);
      new DataView(record.buffer).setFloat64(0, n);
      record.set(keyBytes, 16);
      for (const out of outs) out.send(record);
      append(record);
      await new Promise<void>((done) => waiting.push({ seq: n, done }));
      index++;
      const value = body.startsWith("value=") ? body.slice(6) : body;
      const node = `{"key":"${key.slice(9)}","value":"${value}","modifiedIndex":${index},"createdIndex":${index - 1}}`;
      return new Response(`{"action":"set","node":${node},"prevNode":${node}}\n`, {
        headers: { "Content-Type": "application/json", "X-Etcd-Cluster-Id": "cdf818194e3a8c32", "X-Etcd-Index": String(index), "X-Raft-Index": String(index), "X-Raft-Term": "2" },
      });
    },
  });
}
console.log("ready");
process.on("SIGTERM", () => {
  closeSync(log);
  process.exit(0);
});
