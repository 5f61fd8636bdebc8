// activeSinceMs: when the stream to a peer came up, reset by every break (etcd's ActiveSince),
// stamped with the transport's injected clock.
import { afterEach, expect, test } from "bun:test";
import { createTransport } from "./transport.ts";
import type { Transport } from "./types.ts";
import { until } from "../../test/support/until.ts";

const open: Transport[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((t) => t.close()));
});

function transport(id: string, nowMs?: () => number): Transport {
  const t = createTransport({ selfId: id, clusterId: "c1", onMessage() {}, onSnapshot: async () => {}, backoffMsMin: 10, backoffMsMax: 20, nowMs, log() {} });
  open.push(t);
  return t;
}

test("activeSinceMs is the clock when the stream came up, null while it is down, and restarts after a break", async () => {
  let clockMs = 1000;
  const a = transport("a", () => clockMs);
  let b = transport("b");
  const port = b.listen("http://127.0.0.1:0").port;
  const url = `http://127.0.0.1:${port}`;

  expect(a.activeSinceMs("b")).toBeNull(); // not a peer yet
  a.addPeer("b", [url]);
  await until(() => a.activeSinceMs("b") !== null);
  expect(a.activeSinceMs("b")).toBe(1000);
  expect(a.stats().find((s) => s.id === "b")!.activeSinceMs).toBe(1000);

  clockMs = 7000; // time passing does not move it while the stream stays up
  await Bun.sleep(20);
  expect(a.activeSinceMs("b")).toBe(1000);

  await b.close();
  open.splice(open.indexOf(b), 1);
  await until(() => a.activeSinceMs("b") === null);

  clockMs = 9000;
  b = transport("b");
  b.listen(url);
  await until(() => a.activeSinceMs("b") !== null);
  expect(a.activeSinceMs("b")).toBe(9000);

  a.removePeer("b");
  expect(a.activeSinceMs("b")).toBeNull();
});
