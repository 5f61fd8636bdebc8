import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Message } from "../raft/types.ts";
import { createTransport } from "./transport.ts";
import type { PeerTlsOptions, Transport } from "./types.ts";

let dir = "";
let tls: PeerTlsOptions;
let strangerTls: PeerTlsOptions;
const open: Transport[] = [];

function openssl(...args: string[]): void {
  const r = Bun.spawnSync(["openssl", ...args], { cwd: dir, stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`openssl ${args.join(" ")}: ${r.stderr.toString()}`);
}

/** A CA and a leaf signed by it, valid for 127.0.0.1 as server and client. */
function makeCA(prefix: string): void {
  openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", `/CN=${prefix}-ca`, "-keyout", `${prefix}-ca.key`, "-out", `${prefix}-ca.pem`);
  openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj", `/CN=${prefix}-peer`, "-keyout", `${prefix}.key`, "-out", `${prefix}.csr`);
  openssl(
    "x509", "-req", "-in", `${prefix}.csr`, "-CA", `${prefix}-ca.pem`, "-CAkey", `${prefix}-ca.key`, "-CAcreateserial",
    "-days", "1", "-extfile", `${prefix}.ext`, "-out", `${prefix}.pem`,
  );
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "etcbun-peer-tls-"));
  for (const p of ["good", "stranger"]) {
    writeFileSync(join(dir, `${p}.ext`), "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n");
    makeCA(p);
  }
  tls = { certFile: join(dir, "good.pem"), keyFile: join(dir, "good.key"), caFile: join(dir, "good-ca.pem"), clientCertAuth: true };
  strangerTls = { certFile: join(dir, "stranger.pem"), keyFile: join(dir, "stranger.key"), caFile: join(dir, "good-ca.pem") };
});

afterAll(async () => {
  await Promise.all(open.map((t) => t.close()));
  rmSync(dir, { recursive: true, force: true });
});

function member(id: string, peerTls: PeerTlsOptions) {
  const got: Message[] = [];
  const snapStatus: boolean[] = [];
  const t = createTransport({
    selfId: id,
    clusterId: "c1",
    tls: peerTls,
    onMessage: (m) => got.push(m),
    onSnapshot: async (m) => void got.push(m),
    onSnapshotStatus: (_p, ok) => snapStatus.push(ok),
    log() {},
  });
  open.push(t);
  const url = `https://127.0.0.1:${t.listen("https://127.0.0.1:0").port}`;
  return { t, got, url, snapStatus };
}

const hb = (from: string, to: string): Message => ({ type: 8, to, from, term: 2, logTerm: 0, index: 0, entries: [], commit: 7, reject: false, rejectHint: 0 });

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !cond(); i++) await Bun.sleep(10);
}

describe("peer transport over TLS", () => {
  test("members with certificates from the trusted CA exchange messages and snapshots over wss/https", async () => {
    const a = member("a", tls);
    const b = member("b", tls);
    a.t.addPeer("b", [b.url]);
    a.t.send([hb("a", "b")]);
    const snap: Message = { ...hb("a", "b"), type: 7, snapshot: { metadata: { index: 5, term: 2, confState: { voters: ["a", "b"], learners: [] } }, data: new Uint8Array(3 << 20).fill(9) } };
    a.t.send([snap]);
    await until(() => b.got.length === 2 && a.snapStatus.length === 1);
    expect(b.got.map((m) => m.type).sort()).toEqual([7, 8]);
    expect(a.snapStatus).toEqual([true]);
  });

  test("a member whose certificate another CA signed is refused at the handshake", async () => {
    const b = member("b", tls);
    const stranger = member("s", { ...strangerTls, caFile: tls.caFile });
    stranger.t.addPeer("b", [b.url]);
    stranger.t.send([hb("s", "b")]);
    await Bun.sleep(300);
    expect(b.got).toEqual([]);
    expect(stranger.t.stats()[0]!.connected).toBe(false);
  });
});
