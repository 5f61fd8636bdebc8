// Raw flag text → one typed, validated Config (operations.md sections 1-3). Every error is a
// ConfigError whose message is the single line the operator sees.
import { FLAGS } from "./flags.ts";
import { parseGoBool, parseGoUint } from "./go-values.ts";
import { ConfigError, parseRaw, type RawFlags } from "./parse.ts";
import { parseURLs } from "./urls.ts";

export interface TlsFiles {
  certFile: string;
  keyFile: string;
  clientCertAuth: boolean;
  trustedCaFile: string;
}

export interface Config {
  name: string;
  dataDir: string;
  walDir: string;
  snapshotCount: number;
  heartbeatIntervalMs: number;
  electionTimeoutMs: number;
  maxSnapshots: number;
  maxWals: number;
  listenPeerURLs: string[];
  listenClientURLs: string[];
  initialAdvertisePeerURLs: string[];
  advertiseClientURLs: string[];
  /** `name=url,...`, defaulted to `<name>=<initial-advertise-peer-urls>` as etcd does. */
  initialCluster: string;
  initialClusterToken: string;
  initialClusterState: "new" | "existing";
  forceNewCluster: boolean;
  strictReconfigCheck: boolean;
  discovery: string;
  discoverySrv: string;
  discoveryFallback: "exit" | "proxy";
  discoveryProxy: string;
  proxy: "off" | "on" | "readonly";
  proxyFailureWaitMs: number;
  proxyRefreshIntervalMs: number;
  proxyDialTimeoutMs: number;
  proxyWriteTimeoutMs: number;
  proxyReadTimeoutMs: number;
  clientTls: TlsFiles;
  peerTls: TlsFiles;
  /** Allowed CORS origins; empty = no CORS headers; ["*"] = any origin. */
  corsOrigins: string[];
  debug: boolean;
  openDashboard: boolean;
  /** etcbun's own: how long after each event a SCHED_IDLE thread keeps a CPU awake (0 is off); see idle-poll.ts. */
  idlePollUs: number;
}

export type LoadResult =
  | { kind: "run"; config: Config; warnings: string[] }
  | { kind: "version" }
  | { kind: "help" };

class Reader {
  constructor(private readonly raw: RawFlags) {}
  text(name: string): string {
    return this.raw.values.get(name) ?? FLAGS[name]!.def;
  }
  given(name: string): boolean {
    return this.raw.values.has(name);
  }
  bool(name: string): boolean {
    const v = parseGoBool(this.text(name));
    if (v === null) throw new ConfigError(`invalid boolean value ${JSON.stringify(this.text(name))} for -${name}: parse error`);
    return v;
  }
  uint(name: string): number {
    const v = parseGoUint(this.text(name));
    if (v === null) throw new ConfigError(`invalid value ${JSON.stringify(this.text(name))} for flag -${name}: parse error`);
    return v;
  }
  urls(name: string): string[] {
    try {
      return parseURLs(this.text(name));
    } catch (e) {
      throw new ConfigError(`invalid value ${JSON.stringify(this.text(name))} for flag -${name}: ${(e as Error).message}`);
    }
  }
  oneOf<T extends string>(name: string, allowed: readonly T[]): T {
    const v = this.text(name);
    if (!(allowed as readonly string[]).includes(v)) {
      throw new ConfigError(`invalid value ${JSON.stringify(v)} for flag -${name}: valid values are ${allowed.map((a) => JSON.stringify(a)).join(", ")}`);
    }
    return v as T;
  }
  tls(prefix: "" | "peer-"): TlsFiles {
    const deprecatedCa = this.text(`${prefix}ca-file`);
    return {
      certFile: this.text(`${prefix}cert-file`),
      keyFile: this.text(`${prefix}key-file`),
      clientCertAuth: this.bool(`${prefix}client-cert-auth`) || deprecatedCa !== "",
      trustedCaFile: this.text(`${prefix}trusted-ca-file`) || deprecatedCa,
    };
  }
}

function checkTiming(heartbeatMs: number, electionMs: number): void {
  if (heartbeatMs === 0) throw new ConfigError("--heartbeat-interval must be greater than 0");
  if (5 * heartbeatMs > electionMs) {
    throw new ConfigError(`--election-timeout[${electionMs}ms] should be at least as 5 times as --heartbeat-interval[${heartbeatMs}ms]`);
  }
  if (electionMs > 50000) throw new ConfigError(`--election-timeout[${electionMs}ms] is too long, and should be set less than 50000ms`);
}

function build(raw: RawFlags): Config {
  const r = new Reader(raw);
  const name = r.text("name");
  const initialAdvertisePeerURLs = r.urls("initial-advertise-peer-urls");
  const bootstrapFlags = ["initial-cluster", "discovery", "discovery-srv"].filter((f) => r.given(f) && r.text(f) !== "");
  if (bootstrapFlags.length > 1) {
    throw new ConfigError('multiple discovery or bootstrap flags are set. Choose one of "initial-cluster", "discovery" or "discovery-srv"');
  }
  const proxy = r.oneOf("proxy", ["off", "on", "readonly"] as const);
  if (r.given("listen-client-urls") && !r.given("advertise-client-urls") && proxy === "off") {
    throw new ConfigError("--advertise-client-urls is required when --listen-client-urls is set explicitly");
  }
  const heartbeatIntervalMs = r.uint("heartbeat-interval");
  const electionTimeoutMs = r.uint("election-timeout");
  checkTiming(heartbeatIntervalMs, electionTimeoutMs);
  const cors = r.text("cors");
  const config: Config = {
    name,
    dataDir: r.text("data-dir") || `${name}.etcd`,
    walDir: r.text("wal-dir"),
    snapshotCount: r.uint("snapshot-count"),
    heartbeatIntervalMs,
    electionTimeoutMs,
    maxSnapshots: r.uint("max-snapshots"),
    maxWals: r.uint("max-wals"),
    listenPeerURLs: r.urls("listen-peer-urls"),
    listenClientURLs: r.urls("listen-client-urls"),
    initialAdvertisePeerURLs,
    advertiseClientURLs: r.urls("advertise-client-urls"),
    // Only an absent flag takes the default; an explicit "" is kept, so bootstrap refuses it as etcd does.
    initialCluster: r.given("initial-cluster") ? r.text("initial-cluster") : initialAdvertisePeerURLs.map((u) => `${name}=${u}`).join(","),
    initialClusterToken: r.text("initial-cluster-token"),
    initialClusterState: r.oneOf("initial-cluster-state", ["new", "existing"] as const),
    forceNewCluster: r.bool("force-new-cluster"),
    strictReconfigCheck: r.bool("strict-reconfig-check"),
    discovery: r.text("discovery"),
    discoverySrv: r.text("discovery-srv"),
    discoveryFallback: r.oneOf("discovery-fallback", ["exit", "proxy"] as const),
    discoveryProxy: r.text("discovery-proxy"),
    proxy,
    proxyFailureWaitMs: r.uint("proxy-failure-wait"),
    proxyRefreshIntervalMs: r.uint("proxy-refresh-interval"),
    proxyDialTimeoutMs: r.uint("proxy-dial-timeout"),
    proxyWriteTimeoutMs: r.uint("proxy-write-timeout"),
    proxyReadTimeoutMs: r.uint("proxy-read-timeout"),
    clientTls: r.tls(""),
    peerTls: r.tls("peer-"),
    corsOrigins: cors.split(",").map((s) => s.trim()).filter((s) => s !== ""),
    debug: r.bool("debug"),
    openDashboard: r.bool("open-dashboard"),
    idlePollUs: r.uint("idle-poll-us"),
  };
  r.bool("enable-v2"); // accepted for etcd compatibility, but a malformed value is still an error
  if (config.discovery !== "" && config.initialClusterState === "existing") {
    throw new ConfigError("discovery cannot be used to join an existing cluster");
  }
  return config;
}

/** argv without the program name; env usually `process.env`. Throws ConfigError. */
export function loadConfig(argv: readonly string[], env: Record<string, string | undefined>): LoadResult {
  const raw = parseRaw(argv, env);
  const r = new Reader(raw);
  if (raw.explicit.has("help") && r.bool("help")) return { kind: "help" };
  if (raw.explicit.has("version") && r.bool("version")) return { kind: "version" };
  return { kind: "run", config: build(raw), warnings: raw.warnings };
}
