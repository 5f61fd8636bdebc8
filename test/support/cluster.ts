// A launcher for N-member clusters of real processes (dist/etcbun, or etcd 3.4 for comparison)
// on loopback ports, each in its own data dir. Members can be killed with any signal, paused,
// resumed, restarted on their data dir, added and removed at runtime. With `proxied`, every
// member's advertised peer URL is a test-controlled proxy (test/chaos/link-proxy.ts) in front of
// its real peer port, so individual links between members can be cut, blackholed or made flaky.
import { spawn, type Subprocess } from "bun";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { MemberJSON } from "../../shared/v2.ts";
import { LinkProxy, type LinkRule } from "../chaos/link-proxy.ts";
import { freePort } from "./ports.ts";
import { whileRefused } from "./reconfig.ts";
import { etcbunPath, etcdPath, scratchDir, type ServerKind } from "./servers.ts";

export type MemberState = "running" | "paused" | "stopped" | "removed";

export interface ClusterOptions {
  size: number;
  server?: ServerKind;
  /** Put a link proxy in front of each member's peer port (needed for link faults). */
  proxied?: boolean;
  heartbeatIntervalMs?: number;
  electionTimeoutMs?: number;
  snapshotCount?: number;
  token?: string;
  readyTimeoutMs?: number;
  /** Randomness for the link proxies (flaky links), so a seeded run stays seeded. */
  random?: () => number;
  /** Extra flags for every member. */
  extraArgs?: string[];
}

export interface ClusterMember {
  readonly name: string;
  readonly clientURL: string;
  /** The advertised peer URL (the proxy's when proxied). */
  readonly peerURL: string;
  readonly dataDir: string;
  /** Raft member ID (hex), known once the cluster has answered /v2/members. */
  id: string | undefined;
  readonly state: MemberState;
  /** Send a signal and, unless it is SIGSTOP/SIGCONT, wait for the process to exit. */
  kill(signal?: "SIGKILL" | "SIGTERM"): Promise<void>;
  /** Start (again) on the member's data dir. */
  start(): Promise<void>;
  pause(): void;
  resume(): void;
  /** Last lines of the member's output, for failure messages. */
  logs(): string;
  /** Snapshots sent to this member through its peer proxy (0 when not proxied). */
  snapshotsReceived(): number;
}

export interface Links {
  set(from: string, to: string, rule: LinkRule): void;
  /** Both directions between every member of `a` and every member of `b`. */
  partition(a: readonly string[], b: readonly string[], rule?: LinkRule): void;
  heal(): void;
  /** Links that are not "ok" now, as "from>to=mode". */
  describe(): string[];
}

export interface Cluster {
  readonly members: ClusterMember[];
  /** Present only for proxied clusters. */
  readonly links: Links | null;
  readonly server: ServerKind;
  readonly electionTimeoutMs: number;
  running(): ClusterMember[];
  /** The member that the running members agree is leader, or null. */
  leader(): Promise<ClusterMember | null>;
  waitForLeader(timeoutMs?: number): Promise<ClusterMember>;
  /** Refresh member IDs from the cluster's member list. */
  refreshIds(): Promise<void>;
  addMember(): Promise<ClusterMember>;
  removeMember(m: ClusterMember): Promise<void>;
  stop(): Promise<void>;
}

const LOG_CHUNKS_MAX = 400;
const live = new Set<Subprocess>();
process.on("exit", () => {
  for (const p of live) p.kill("SIGKILL");
});

async function getJSON<T>(url: string, timeoutMs = 1000): Promise<T | null> {
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    if (r.status !== 200) {
      await r.arrayBuffer();
      return null;
    }
    return (await r.json()) as T;
  } catch {
    return null;
  }
}

function normalizeId(id: string): string {
  return id.toLowerCase().replace(/^0+(?=.)/, "");
}

interface Ports {
  client: number;
  peerListen: number;
  peerProxy: number;
}

class ProcessMember implements ClusterMember {
  id: string | undefined;
  private proc: Subprocess | null = null;
  private paused = false;
  private removed = false;
  private readonly output: string[] = [];
  readonly clientURL: string;
  readonly peerURL: string;
  readonly listenPeerURL: string;
  proxy: LinkProxy | null = null;

  constructor(
    readonly name: string,
    private readonly cfg: { binary: string; args: (m: ProcessMember) => string[]; ports: Ports; dataDir: string; proxied: boolean },
  ) {
    this.clientURL = `http://127.0.0.1:${cfg.ports.client}`;
    this.listenPeerURL = `http://127.0.0.1:${cfg.ports.peerListen}`;
    this.peerURL = cfg.proxied ? `http://127.0.0.1:${cfg.ports.peerProxy}` : this.listenPeerURL;
  }

  get dataDir(): string {
    return this.cfg.dataDir;
  }

  get state(): MemberState {
    if (this.removed) return "removed";
    if (!this.proc) return "stopped";
    return this.paused ? "paused" : "running";
  }

  initialCluster = "";
  initialState: "new" | "existing" = "new";

  async start(): Promise<void> {
    if (this.proc || this.removed) return;
    mkdirSync(this.cfg.dataDir, { recursive: true });
    const proc = spawn([this.cfg.binary, ...this.cfg.args(this)], { stdin: "ignore", stdout: "pipe", stderr: "pipe" });
    this.proc = proc;
    this.paused = false;
    live.add(proc);
    this.pump(proc.stdout);
    this.pump(proc.stderr);
    void proc.exited.then((code) => {
      live.delete(proc);
      this.note(`process exited (${proc.signalCode ?? code})`);
      if (this.proc === proc) this.proc = null;
    });
  }

  private note(line: string): void {
    this.output.push(`[${new Date().toISOString()} launcher] ${line}\n`);
  }

  private pump(stream: ReadableStream<Uint8Array>): void {
    const dec = new TextDecoder();
    void (async () => {
      try {
        const reader = stream.getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return;
          this.output.push(dec.decode(value, { stream: true }));
          if (this.output.length > LOG_CHUNKS_MAX) this.output.splice(0, LOG_CHUNKS_MAX / 2);
        }
      } catch {
        // The process is gone; its output ends here.
      }
    })();
  }

  async kill(signal: "SIGKILL" | "SIGTERM" = "SIGKILL"): Promise<void> {
    const proc = this.proc;
    if (!proc) return;
    this.note(`sending ${signal}`);
    if (this.paused) proc.kill("SIGCONT");
    proc.kill(signal);
    const exited = await Promise.race([proc.exited.then(() => true), Bun.sleep(5000).then(() => false)]);
    if (!exited) proc.kill("SIGKILL");
    await proc.exited;
    if (this.proc === proc) this.proc = null;
    this.paused = false;
  }

  pause(): void {
    if (!this.proc || this.paused) return;
    this.note("sending SIGSTOP");
    this.proc.kill("SIGSTOP");
    this.paused = true;
  }

  resume(): void {
    if (!this.proc || !this.paused) return;
    this.note("sending SIGCONT");
    this.proc.kill("SIGCONT");
    this.paused = false;
  }

  snapshotsReceived(): number {
    return this.proxy?.snapshotsReceived ?? 0;
  }

  markRemoved(): void {
    this.removed = true;
  }

  logs(): string {
    return this.output.join("").slice(-6000);
  }
}

class LinkTable implements Links {
  private readonly rules = new Map<string, LinkRule>();
  readonly proxies: LinkProxy[] = [];

  rule(from: string, to: string): LinkRule {
    return this.rules.get(`${from}>${to}`) ?? { mode: "ok" };
  }

  set(from: string, to: string, rule: LinkRule): void {
    if (rule.mode === "ok") this.rules.delete(`${from}>${to}`);
    else this.rules.set(`${from}>${to}`, rule);
    for (const p of this.proxies) p.refresh();
  }

  partition(a: readonly string[], b: readonly string[], rule: LinkRule = { mode: "cut" }): void {
    for (const x of a)
      for (const y of b) {
        if (x === y) continue;
        this.set(x, y, rule);
        this.set(y, x, rule);
      }
  }

  heal(): void {
    this.rules.clear();
  }

  describe(): string[] {
    return [...this.rules].map(([k, r]) => `${k}=${r.mode}`);
  }
}

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const server = options.server ?? "etcbun";
  const binary = server === "etcd" ? etcdPath() : etcbunPath;
  if (!binary) throw new Error("etcd is not installed");
  const proxied = options.proxied ?? true;
  const heartbeatIntervalMs = options.heartbeatIntervalMs ?? 50;
  const electionTimeoutMs = options.electionTimeoutMs ?? 500;
  const token = options.token ?? `chaos-${process.pid}-${Date.now()}`;
  const root = scratchDir("cluster");
  const random = options.random ?? Math.random;
  const links = new LinkTable();
  const members: ProcessMember[] = [];
  const idNames = new Map<string, string>();
  let nextOrdinal = 1;

  const args = (m: ProcessMember): string[] => {
    const a = [
      "--name", m.name,
      "--data-dir", m.dataDir,
      "--listen-client-urls", m.clientURL,
      "--advertise-client-urls", m.clientURL,
      "--listen-peer-urls", m.listenPeerURL,
      "--initial-advertise-peer-urls", m.peerURL,
      "--initial-cluster", m.initialCluster,
      "--initial-cluster-token", token,
      "--initial-cluster-state", m.initialState,
      "--heartbeat-interval", String(heartbeatIntervalMs),
      "--election-timeout", String(electionTimeoutMs),
    ];
    if (options.snapshotCount !== undefined) a.push("--snapshot-count", String(options.snapshotCount));
    if (server === "etcd") a.push("--enable-v2=true", "--logger=zap", "--log-level=warn");
    return [...a, ...(options.extraArgs ?? [])];
  };

  const makeMember = async (): Promise<ProcessMember> => {
    const name = `m${nextOrdinal++}`;
    const ports = { client: await freePort(), peerListen: await freePort(), peerProxy: await freePort() };
    const m = new ProcessMember(name, { binary, args, ports, dataDir: join(root, name), proxied });
    if (proxied) {
      const proxy = new LinkProxy({
        target: name,
        upstreamPort: ports.peerListen,
        nameOf: (id) => idNames.get(normalizeId(id)),
        rule: (from, to) => links.rule(from, to),
        random,
      });
      await proxy.listen(ports.peerProxy);
      m.proxy = proxy;
      links.proxies.push(proxy);
    }
    members.push(m);
    return m;
  };

  const running = () => members.filter((m) => m.state === "running");

  const memberList = async (): Promise<MemberJSON[] | null> => {
    for (const m of running()) {
      const j = await getJSON<{ members: MemberJSON[] }>(`${m.clientURL}/v2/members`);
      if (j) return j.members;
    }
    return null;
  };

  const refreshIds = async (): Promise<void> => {
    const list = await memberList();
    if (!list) return;
    for (const j of list) {
      const m = members.find((x) => j.peerURLs.includes(x.peerURL));
      if (!m) continue;
      m.id = normalizeId(j.id);
      idNames.set(m.id, m.name);
    }
  };

  const leader = async (): Promise<ClusterMember | null> => {
    const seen = await Promise.all(
      running().map((m) => getJSON<MemberJSON>(`${m.clientURL}/v2/members/leader`).then((j) => (j ? normalizeId(j.id) : null))),
    );
    const ids = seen.filter((x): x is string => x !== null);
    if (ids.length === 0 || ids.length * 2 <= running().length) return null;
    const id = ids[0]!;
    if (ids.some((x) => x !== id)) return null;
    if (!idNames.has(id)) await refreshIds();
    return members.find((m) => m.id === id && m.state === "running") ?? null;
  };

  const waitForLeader = async (timeoutMs = options.readyTimeoutMs ?? 30_000): Promise<ClusterMember> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const l = await leader();
      if (l) return l;
      if (Date.now() > deadline) {
        const logs = members.map((m) => `--- ${m.name} (${m.state})\n${m.logs().slice(-1500)}`).join("\n");
        throw new Error(`no leader within ${timeoutMs} ms\n${logs}`);
      }
      await Bun.sleep(100);
    }
  };

  for (let i = 0; i < options.size; i++) await makeMember();
  const initialCluster = members.map((m) => `${m.name}=${m.peerURL}`).join(",");
  for (const m of members) m.initialCluster = initialCluster;
  await Promise.all(members.map((m) => m.start()));

  const cluster: Cluster = {
    members,
    links: proxied ? links : null,
    server,
    electionTimeoutMs,
    running,
    leader,
    waitForLeader,
    refreshIds,
    async addMember() {
      const m = await makeMember();
      const forget = async (why: string): Promise<never> => {
        members.splice(members.indexOf(m), 1);
        await m.proxy?.close();
        links.proxies.splice(links.proxies.indexOf(m.proxy!), 1);
        throw new Error(`adding ${m.name} failed: ${why}`);
      };
      if (!running()[0]) return forget("no running member to add through");
      let answer: string;
      try {
        const r = await whileRefused(() => {
          const via = running()[0];
          if (!via) throw new Error("no running member to add through");
          return fetch(`${via.clientURL}/v2/members`, {
            method: "POST",
            headers: { "Content-Type": "application/json" },
            body: JSON.stringify({ peerURLs: [m.peerURL] }),
            signal: AbortSignal.timeout(15_000),
          });
        });
        answer = `${r.status} ${await r.text()}`;
      } catch (e) {
        answer = (e as Error).message;
      }
      // Whatever the answer said, the member list decides: an add that timed out may still commit.
      const list = (await memberList()) ?? [];
      const added = list.find((j) => j.peerURLs.includes(m.peerURL));
      if (!added) return forget(answer);
      m.id = normalizeId(added.id);
      idNames.set(m.id, m.name);
      m.initialCluster = list
        .map((j) => `${j.peerURLs.includes(m.peerURL) ? m.name : j.name}=${j.peerURLs[0]}`)
        .filter((s) => !s.startsWith("="))
        .join(",");
      m.initialState = "existing";
      await m.start();
      return m;
    },
    async removeMember(target) {
      if (!target.id) await refreshIds();
      const via = running().find((m) => m !== target) ?? running()[0];
      if (!via || !target.id) throw new Error(`cannot remove ${target.name}: no running member or unknown id`);
      let attempts = 0;
      const r = await whileRefused(() => {
        attempts++;
        return fetch(`${via.clientURL}/v2/members/${target.id}`, { method: "DELETE", signal: AbortSignal.timeout(15_000) });
      });
      const body = await r.text();
      // A 410 after a 500 means an earlier attempt that timed out did commit.
      const removed = r.status === 204 || (r.status === 410 && attempts > 1);
      if (!removed) throw new Error(`removing ${target.name} failed: ${r.status} ${body}`);
      const pm = target as ProcessMember;
      // A removed member stops itself once it learns; do not wait for that to be sure.
      await Bun.sleep(200);
      await pm.kill("SIGTERM");
      pm.markRemoved();
    },
    async stop() {
      await Promise.all(members.map((m) => m.kill("SIGKILL")));
      await Promise.all(members.map((m) => m.proxy?.close()));
      rmSync(root, { recursive: true, force: true });
    },
  };
  try {
    await waitForLeader();
    await refreshIds();
  } catch (e) {
    await cluster.stop();
    throw e;
  }
  return cluster;
}
