// Peer stream candidates side by side on loopback: WebSocket (sender dials receiver) versus a
// streamed HTTP response (etcd's style: receiver dials, sender writes into the response body).
// Run: bun bench/peer-stream.ts [messages] [batch]
import type { Message } from "../server/raft/types.ts";
import { decodeBatch, encodeBatch } from "../server/peer/codec.ts";
import { createTransport } from "../server/peer/transport.ts";

const total = Number(process.argv[2] ?? 200_000);
const batch = Number(process.argv[3] ?? 64);
const payload = new Uint8Array(100).fill(7);
function msg(i: number): Message {
  return { type: 3, to: "2", from: "1", term: 3, logTerm: 3, index: i, entries: [{ term: 3, index: i + 1, type: 0, data: payload }], commit: i, reject: false, rejectHint: 0 };
}
const frames: Uint8Array[] = [];
for (let i = 0; i < total; i += batch) frames.push(encodeBatch(Array.from({ length: Math.min(batch, total - i) }, (_, k) => msg(i + k))));

async function viaWebSocket(): Promise<number> {
  let got = 0;
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch(req, srv) {
      return srv.upgrade(req) ? undefined : new Response("no", { status: 400 });
    },
    websocket: {
      message(_ws, data) {
        got += decodeBatch(data as Uint8Array).length;
        if (got >= total) done();
      },
    },
  });
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/`);
  ws.binaryType = "arraybuffer";
  await new Promise((r) => (ws.onopen = r));
  const t0 = performance.now();
  for (const f of frames) {
    while (ws.bufferedAmount > 1 << 20) await Bun.sleep(0);
    ws.send(f);
  }
  await finished;
  const secs = (performance.now() - t0) / 1000;
  ws.close();
  server.stop(true);
  return total / secs;
}

async function viaHttpStream(): Promise<number> {
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch() {
      return new Response(
        new ReadableStream({
          type: "direct",
          async pull(ctrl: any) {
            for (const f of frames) {
              const len = new Uint8Array(4);
              new DataView(len.buffer).setUint32(0, f.length);
              ctrl.write(len);
              ctrl.write(f);
              await ctrl.flush();
            }
            ctrl.close();
          },
        } as any),
      );
    },
  });
  const t0 = performance.now();
  const res = await fetch(`http://127.0.0.1:${server.port}/`);
  const reader = res.body!.getReader();
  let buf = new Uint8Array(0);
  let got = 0;
  while (got < total) {
    const { value, done } = await reader.read();
    if (done) break;
    const next = new Uint8Array(buf.length + value.length);
    next.set(buf);
    next.set(value, buf.length);
    buf = next;
    let off = 0;
    while (buf.length - off >= 4) {
      const n = new DataView(buf.buffer, buf.byteOffset + off).getUint32(0);
      if (buf.length - off - 4 < n) break;
      got += decodeBatch(buf.subarray(off + 4, off + 4 + n)).length;
      off += 4 + n;
    }
    buf = buf.slice(off);
  }
  const secs = (performance.now() - t0) / 1000;
  server.stop(true);
  return total / secs;
}

/** The real transport end to end: send() in chunks of `batch` per turn, count onMessage calls. */
async function viaTransport(): Promise<number> {
  let got = 0;
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const noop = async () => {};
  const b = createTransport({ selfId: "2", clusterId: "c", onMessage: () => ++got >= total && done(), onSnapshot: noop, queueMessagesMax: 1 << 20 });
  const a = createTransport({ selfId: "1", clusterId: "c", onMessage() {}, onSnapshot: noop, queueMessagesMax: 1 << 20 });
  const url = `http://127.0.0.1:${b.listen("http://127.0.0.1:0").port}`;
  a.addPeer("2", [url]);
  while (!a.stats()[0]!.connected) await Bun.sleep(1);
  const msgs = Array.from({ length: total }, (_, i) => msg(i));
  const t0 = performance.now();
  for (let i = 0; i < total; i += batch) {
    a.send(msgs.slice(i, i + batch));
    if ((i / batch) % 16 === 15) await Bun.sleep(0);
  }
  await finished;
  const secs = (performance.now() - t0) / 1000;
  await a.close();
  await b.close();
  return total / secs;
}

for (let round = 0; round < 2; round++) {
  console.log(`websocket   : ${Math.round(await viaWebSocket())} msg/s (batch ${batch})`);
  console.log(`http stream : ${Math.round(await viaHttpStream())} msg/s (batch ${batch})`);
  console.log(`transport   : ${Math.round(await viaTransport())} msg/s (batch ${batch}, end to end)`);
}
