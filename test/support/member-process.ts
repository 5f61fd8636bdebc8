// One single-member server process (dist/etcbun, or etcd 3.4 with the v2 API on) that keeps its
// ports and data dir across restarts, so a test can SIGKILL it, touch its files, start it again
// and see exactly what it printed and how it exited. Used by the durability suite and benches.
import { spawn, type Subprocess } from "bun";
import { freePort } from "./ports.ts";
import { etcbunPath, etcdPath, readAll, type ServerKind } from "./servers.ts";

export interface MemberProcessOptions {
  kind?: ServerKind;
  name?: string;
  /** Flags for this start only (e.g. a different --snapshot-count each round). */
  extraArgs?: string[];
}

export interface MemberRun {
  readonly proc: Subprocess;
  readonly startedAtMs: number;
  /** Everything printed on stdout and stderr so far. */
  output(): string;
  /** Exit code, or the signal name, once the process has ended. */
  readonly exited: Promise<number | string>;
}

const live = new Set<Subprocess>();
process.on("exit", () => {
  for (const p of live) p.kill("SIGKILL");
});

export class MemberProcess {
  readonly clientURL: string;
  readonly peerURL: string;
  private current: MemberRun | null = null;

  private constructor(
    readonly dataDir: string,
    readonly kind: ServerKind,
    readonly name: string,
    ports: { client: number; peer: number },
  ) {
    this.clientURL = `http://127.0.0.1:${ports.client}`;
    this.peerURL = `http://127.0.0.1:${ports.peer}`;
  }

  static async create(dataDir: string, options: MemberProcessOptions = {}): Promise<MemberProcess> {
    const ports = { client: await freePort(), peer: await freePort() };
    return new MemberProcess(dataDir, options.kind ?? "etcbun", options.name ?? "durable", ports);
  }

  get run(): MemberRun | null {
    return this.current;
  }

  /** Spawns the process (it must not be running) and returns at once; see `waitWritable`. */
  start(options: MemberProcessOptions = {}): MemberRun {
    if (this.current) throw new Error("the member is already running");
    const binary = this.kind === "etcd" ? etcdPath() : etcbunPath;
    if (!binary) throw new Error("etcd is not installed");
    const args = [
      binary,
      "--name", this.name,
      "--data-dir", this.dataDir,
      "--listen-client-urls", this.clientURL,
      "--advertise-client-urls", this.clientURL,
      "--listen-peer-urls", this.peerURL,
      "--initial-advertise-peer-urls", this.peerURL,
      "--initial-cluster", `${this.name}=${this.peerURL}`,
    ];
    if (this.kind === "etcd") args.push("--enable-v2=true", "--log-level", "warn");
    args.push(...(options.extraArgs ?? []));
    const chunks: string[] = [];
    const startedAtMs = performance.now();
    const proc = spawn(args, { stdin: "ignore", stdout: "pipe", stderr: "pipe" });
    live.add(proc);
    const drained = Promise.all([readAll(proc.stdout, chunks), readAll(proc.stderr, chunks)]);
    const exited = proc.exited.then(async (code) => {
      live.delete(proc);
      await drained;
      if (this.current?.proc === proc) this.current = null;
      return proc.signalCode ?? code;
    });
    const run: MemberRun = { proc, startedAtMs, output: () => chunks.join(""), exited };
    this.current = run;
    return run;
  }

  async kill(signal: "SIGKILL" | "SIGTERM" = "SIGKILL"): Promise<void> {
    const run = this.current;
    if (!run) return;
    run.proc.kill(signal);
    await run.exited;
  }

  /**
   * Until a PUT is acknowledged: a restarted member serves reads before it has elected itself,
   * and the durability checks must not race its first writes.
   */
  async waitWritable(timeoutMs = 20_000): Promise<void> {
    const run = this.current;
    if (!run) throw new Error("the member is not running");
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (run.proc.exitCode !== null || run.proc.signalCode !== null) break;
      try {
        const r = await fetch(`${this.clientURL}/v2/keys/_probe`, {
          method: "PUT",
          body: "value=1",
          headers: { "Content-Type": "application/x-www-form-urlencoded" },
          signal: AbortSignal.timeout(1000),
        });
        await r.arrayBuffer();
        if (r.status === 200 || r.status === 201) return;
      } catch {
        // Not listening yet.
      }
      await Bun.sleep(20);
    }
    throw new Error(`${this.kind} did not accept a write within ${timeoutMs} ms:\n${run.output().slice(-3000)}`);
  }
}

