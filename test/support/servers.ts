// Start a single-member etcd 3.4 (v2 API on) or dist/etcbun with the same etcd flags on free
// loopback ports, wait until it serves, and tear it down (process and data dir) afterwards.
// Every started server is also killed when the test process exits, so a failing suite never
// leaves strays behind.
import { spawn, type Subprocess } from "bun";
import { existsSync, mkdtempSync, rmSync, accessSync, constants } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { freePort } from "./ports.ts";

export type ServerKind = "etcd" | "etcbun";

export interface RunningServer {
  kind: ServerKind;
  name: string;
  clientURL: string;
  peerURL: string;
  dataDir: string;
  pid: number;
  /** Output so far, for failure messages. */
  logs(): string;
  stop(): Promise<void>;
}

export interface StartOptions {
  name?: string;
  /** Extra flags appended after the standard ones. */
  extraArgs?: string[];
  readyTimeoutMs?: number;
}

export const repoRoot = resolve(import.meta.dir, "../..");
/** dist/etcbun, or ETCBUN_BIN to try a binary built elsewhere. */
export const etcbunPath = process.env.ETCBUN_BIN ?? join(repoRoot, "dist/etcbun");

export function etcdPath(): string | null {
  for (const p of ["/usr/bin/etcd", "/usr/local/bin/etcd"]) if (existsSync(p)) return p;
  const found = Bun.which("etcd");
  return found ?? null;
}

/** Why a suite that needs real etcd must skip, or null when it can run. */
export function etcdMissingReason(): string | null {
  return etcdPath() ? null : "etcd is not installed (apt-get install etcd-server); skipping the comparison with real etcd";
}

/** tmpfs when available: etcd fsyncs every write, which is slow on a real disk. */
function scratchRoot(): string {
  try {
    accessSync("/dev/shm", constants.W_OK);
    return "/dev/shm";
  } catch {
    return tmpdir();
  }
}

export function scratchDir(prefix: string): string {
  return mkdtempSync(join(scratchRoot(), `etcbun-${prefix}-`));
}

const live = new Set<Subprocess>();
process.on("exit", () => {
  for (const p of live) p.kill("SIGKILL");
});

function binaryFor(kind: ServerKind): string {
  if (kind === "etcd") {
    const p = etcdPath();
    if (!p) throw new Error("etcd is not installed");
    return p;
  }
  if (!existsSync(etcbunPath)) throw new Error(`${etcbunPath} is missing: run \`npx bun scripts/build.ts\` first`);
  return etcbunPath;
}

/** Collects a child's output into `sink` (bounded) until it ends or the process is gone. */
export async function readAll(stream: ReadableStream<Uint8Array>, sink: string[]): Promise<void> {
  const dec = new TextDecoder();
  try {
    const reader = stream.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      sink.push(dec.decode(value, { stream: true }));
      // Keep memory bounded for long benchmarks: a chatty failure must not eat memory.
      if (sink.length > 2000) sink.splice(0, 1000);
    }
  } catch {
    // The process is gone; its output ends here.
  }
}

async function serving(clientURL: string): Promise<boolean> {
  try {
    const h = await fetch(`${clientURL}/health`, { signal: AbortSignal.timeout(1000) });
    if (h.status !== 200) return false;
    const k = await fetch(`${clientURL}/v2/keys/`, { signal: AbortSignal.timeout(1000) });
    await k.arrayBuffer();
    return k.status === 200;
  } catch {
    return false;
  }
}

async function currentIndex(clientURL: string): Promise<number> {
  const r = await fetch(`${clientURL}/v2/keys/`);
  await r.arrayBuffer();
  return Number(r.headers.get("x-etcd-index"));
}

/**
 * Ready = serving keys, healthy, and the store index has stopped moving (a fresh member still
 * writes its own bookkeeping — attributes, cluster version — right after it becomes leader).
 */
async function waitReady(srv: RunningServer, proc: Subprocess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      throw new Error(`${srv.kind} exited (${proc.exitCode ?? proc.signalCode}) before serving:\n${srv.logs().slice(-3000)}`);
    }
    if (await serving(srv.clientURL)) {
      let last = await currentIndex(srv.clientURL);
      for (let stable = 0; stable < 3 && Date.now() < deadline; ) {
        await Bun.sleep(100);
        const now = await currentIndex(srv.clientURL);
        stable = now === last ? stable + 1 : 0;
        last = now;
      }
      return;
    }
    await Bun.sleep(50);
  }
  throw new Error(`${srv.kind} did not become ready within ${timeoutMs} ms:\n${srv.logs().slice(-3000)}`);
}

export async function startServer(kind: ServerKind, opts: StartOptions = {}): Promise<RunningServer> {
  const name = opts.name ?? "conf";
  const clientURL = `http://127.0.0.1:${await freePort()}`;
  const peerURL = `http://127.0.0.1:${await freePort()}`;
  const dataDir = join(scratchDir(kind), `${name}.data`);
  const args = [
    binaryFor(kind),
    "--name", name,
    "--data-dir", dataDir,
    "--listen-client-urls", clientURL,
    "--advertise-client-urls", clientURL,
    "--listen-peer-urls", peerURL,
    "--initial-advertise-peer-urls", peerURL,
    "--initial-cluster", `${name}=${peerURL}`,
  ];
  if (kind === "etcd") args.push("--enable-v2=true", "--log-level", "warn");
  args.push(...(opts.extraArgs ?? []));
  const output: string[] = [];
  const proc = spawn(args, { stdout: "pipe", stderr: "pipe", stdin: "ignore", cwd: scratchRoot() });
  live.add(proc);
  void readAll(proc.stdout, output);
  void readAll(proc.stderr, output);
  let stopped = false;
  const srv: RunningServer = {
    kind,
    name,
    clientURL,
    peerURL,
    dataDir,
    pid: proc.pid,
    logs: () => output.join(""),
    async stop() {
      if (stopped) return;
      stopped = true;
      proc.kill("SIGTERM");
      const exited = await Promise.race([proc.exited.then(() => true), Bun.sleep(3000).then(() => false)]);
      if (!exited) {
        proc.kill("SIGKILL");
        await proc.exited;
      }
      live.delete(proc);
      rmSync(resolve(dataDir, ".."), { recursive: true, force: true });
    },
  };
  try {
    await waitReady(srv, proc, opts.readyTimeoutMs ?? 20000);
  } catch (err) {
    await srv.stop();
    throw err;
  }
  return srv;
}
