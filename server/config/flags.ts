// The table of every flag the server understands: its kind, default and help line. Parsing,
// environment lookup and --help are all driven from this one table, so a flag is added once.

export type FlagKind = "string" | "bool" | "uint" | "urls";

export interface FlagSpec {
  kind: FlagKind;
  /** Textual default, parsed like a user-supplied value. */
  def: string;
  help: string;
}

const DEFAULT_CLIENT_URL = "http://localhost:2379";
const DEFAULT_PEER_URL = "http://localhost:2380";

export const FLAGS: Record<string, FlagSpec> = {
  name: { kind: "string", def: "default", help: "Human-readable name for this member." },
  "data-dir": { kind: "string", def: "", help: "Path to the data directory (default ${name}.etcd)." },
  "wal-dir": { kind: "string", def: "", help: "Path to a dedicated WAL directory." },
  "snapshot-count": { kind: "uint", def: "100000", help: "Committed transactions that trigger a snapshot." },
  "heartbeat-interval": { kind: "uint", def: "100", help: "Time (in milliseconds) of a heartbeat interval." },
  "election-timeout": { kind: "uint", def: "1000", help: "Time (in milliseconds) for an election to timeout." },
  "max-snapshots": { kind: "uint", def: "5", help: "Maximum number of snapshot files to retain (0 is unlimited)." },
  "max-wals": { kind: "uint", def: "5", help: "Maximum number of WAL files to retain (0 is unlimited)." },
  "listen-peer-urls": { kind: "urls", def: DEFAULT_PEER_URL, help: "List of URLs to listen on for peer traffic." },
  "listen-client-urls": { kind: "urls", def: DEFAULT_CLIENT_URL, help: "List of URLs to listen on for client traffic." },
  "initial-advertise-peer-urls": { kind: "urls", def: DEFAULT_PEER_URL, help: "This member's peer URLs to advertise to the rest of the cluster." },
  "advertise-client-urls": { kind: "urls", def: DEFAULT_CLIENT_URL, help: "This member's client URLs to advertise to the public." },
  "initial-cluster": { kind: "string", def: "", help: "Initial cluster configuration for bootstrapping (name=url,...)." },
  "initial-cluster-token": { kind: "string", def: "etcd-cluster", help: "Initial cluster token for the etcd cluster during bootstrap." },
  "initial-cluster-state": { kind: "string", def: "new", help: "Initial cluster state ('new' or 'existing')." },
  "force-new-cluster": { kind: "bool", def: "false", help: "Force to create a new one member cluster." },
  "strict-reconfig-check": { kind: "bool", def: "true", help: "Reject reconfiguration requests that would cause quorum loss." },
  discovery: { kind: "string", def: "", help: "Discovery URL used to bootstrap the cluster." },
  "discovery-srv": { kind: "string", def: "", help: "DNS domain used to bootstrap initial cluster." },
  "discovery-fallback": { kind: "string", def: "proxy", help: "Behavior when discovery fails: 'exit' or 'proxy'." },
  "discovery-proxy": { kind: "string", def: "", help: "HTTP proxy to use for traffic to discovery service." },
  proxy: { kind: "string", def: "off", help: "Proxy mode: 'off', 'readonly' or 'on'." },
  "proxy-failure-wait": { kind: "uint", def: "5000", help: "Time (in milliseconds) an endpoint is held in a failed state." },
  "proxy-refresh-interval": { kind: "uint", def: "30000", help: "Time (in milliseconds) of the endpoints refresh interval." },
  "proxy-dial-timeout": { kind: "uint", def: "1000", help: "Time (in milliseconds) for a dial to timeout (0 is none)." },
  "proxy-write-timeout": { kind: "uint", def: "5000", help: "Time (in milliseconds) for a write to timeout (0 is none)." },
  "proxy-read-timeout": { kind: "uint", def: "0", help: "Time (in milliseconds) for a read to timeout (0 is none)." },
  "cert-file": { kind: "string", def: "", help: "Path to the client server TLS cert file." },
  "key-file": { kind: "string", def: "", help: "Path to the client server TLS key file." },
  "client-cert-auth": { kind: "bool", def: "false", help: "Enable client cert authentication." },
  "trusted-ca-file": { kind: "string", def: "", help: "Path to the client server TLS trusted CA file." },
  "ca-file": { kind: "string", def: "", help: "DEPRECATED: same as --trusted-ca-file with --client-cert-auth." },
  "peer-cert-file": { kind: "string", def: "", help: "Path to the peer server TLS cert file." },
  "peer-key-file": { kind: "string", def: "", help: "Path to the peer server TLS key file." },
  "peer-client-cert-auth": { kind: "bool", def: "false", help: "Enable peer client cert authentication." },
  "peer-trusted-ca-file": { kind: "string", def: "", help: "Path to the peer server TLS trusted CA file." },
  "peer-ca-file": { kind: "string", def: "", help: "DEPRECATED: same as --peer-trusted-ca-file with --peer-client-cert-auth." },
  cors: { kind: "string", def: "*", help: "Comma-separated allowed origins for CORS (empty turns CORS off)." },
  debug: { kind: "bool", def: "false", help: "Enable debug-level logging." },
  "enable-v2": { kind: "bool", def: "true", help: "Accepted for etcd compatibility; the v2 API is always on." },
  "open-dashboard": { kind: "bool", def: "false", help: "Print the dashboard URL and try to open it in a browser." },
  "idle-poll-us": {
    kind: "uint",
    def: "300",
    help: "Microseconds a lowest-priority thread keeps a CPU busy after each request or peer message, so the next one finds it awake (0 is off).",
  },
  version: { kind: "bool", def: "false", help: "Print the version and exit." },
  help: { kind: "bool", def: "false", help: "Show this help and exit." },
};

/** `ETCD_` + upper-case name with `-` → `_`, as etcd's flag-from-env lookup does. */
export function envName(flag: string): string {
  return "ETCD_" + flag.toUpperCase().replaceAll("-", "_");
}

export function helpText(): string {
  const lines = ["Usage: etcbun [flags]", "", "Flags (each also settable as ETCD_<FLAG_NAME>):"];
  for (const [name, spec] of Object.entries(FLAGS)) {
    // A bare boolean turns a flag on, so only the ones already on need their default spelled out.
    const def = spec.kind === "bool" ? (spec.def === "true" ? " (default true)" : "") : spec.def ? ` (default ${JSON.stringify(spec.def)})` : "";
    lines.push(`  --${name}${spec.kind === "bool" ? "" : " <" + spec.kind + ">"}`, `      ${spec.help}${def}`);
  }
  return lines.join("\n");
}
