import { describe, expect, test } from "bun:test";
import { computeClusterId, computeMemberId } from "../bootstrap/ids.ts";
import { type Config, ConfigError, helpText, listenAddress, loadConfig } from "./index.ts";

function load(argv: string[], env: Record<string, string> = {}): Config {
  const r = loadConfig(argv, env);
  if (r.kind !== "run") throw new Error(`expected a run config, got ${r.kind}`);
  return r.config;
}

function errorOf(argv: string[], env: Record<string, string> = {}): string {
  try {
    loadConfig(argv, env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error("expected a ConfigError");
}

describe("defaults", () => {
  test("match etcd 3.4 with 2.3's snapshot count", () => {
    const c = load([]);
    expect(c.name).toBe("default");
    expect(c.dataDir).toBe("default.etcd");
    expect(c.listenClientURLs).toEqual(["http://localhost:2379"]);
    expect(c.advertiseClientURLs).toEqual(["http://localhost:2379"]);
    expect(c.listenPeerURLs).toEqual(["http://localhost:2380"]);
    expect(c.initialAdvertisePeerURLs).toEqual(["http://localhost:2380"]);
    expect(c.initialCluster).toBe("default=http://localhost:2380");
    expect(c.initialClusterToken).toBe("etcd-cluster");
    expect(c.initialClusterState).toBe("new");
    expect(c.snapshotCount).toBe(100000);
    expect(c.heartbeatIntervalMs).toBe(100);
    expect(c.electionTimeoutMs).toBe(1000);
    expect(c.maxSnapshots).toBe(5);
    expect(c.maxWals).toBe(5);
    expect(c.proxy).toBe("off");
    expect(c.corsOrigins).toEqual(["*"]);
    expect(c.strictReconfigCheck).toBe(true);
  });

  test("--strict-reconfig-check is on unless turned off, from the command line or ETCD_STRICT_RECONFIG_CHECK", () => {
    expect(load(["--strict-reconfig-check=false"]).strictReconfigCheck).toBe(false);
    expect(load([], { ETCD_STRICT_RECONFIG_CHECK: "false" }).strictReconfigCheck).toBe(false);
    expect(load(["--strict-reconfig-check"], { ETCD_STRICT_RECONFIG_CHECK: "false" }).strictReconfigCheck).toBe(true);
    expect(helpText()).toContain("Reject reconfiguration requests that would cause quorum loss. (default true)");
  });

  test("--idle-poll-us (etcbun's own) is 300 unless set, 0 turning it off, also as ETCD_IDLE_POLL_US", () => {
    expect(load([]).idlePollUs).toBe(300);
    expect(load(["--idle-poll-us", "0"]).idlePollUs).toBe(0);
    expect(load([], { ETCD_IDLE_POLL_US: "300" }).idlePollUs).toBe(300);
    expect(errorOf(["--idle-poll-us=-1"])).toContain("idle-poll-us");
  });

  test("data dir and initial cluster follow the name", () => {
    const c = load(["--name", "n1", "--initial-advertise-peer-urls", "http://127.0.0.1:22380"]);
    expect(c.dataDir).toBe("n1.etcd");
    expect(c.initialCluster).toBe("n1=http://127.0.0.1:22380");
  });
});

describe("spellings", () => {
  test("-flag, --flag, =value and separate value", () => {
    const c = load(["-name", "a", "--data-dir=/tmp/x", "--snapshot-count", "7", "-max-wals=0"]);
    expect([c.name, c.dataDir, c.snapshotCount, c.maxWals]).toEqual(["a", "/tmp/x", 7, 0]);
  });

  test("booleans bare, =true, =false and Go spellings", () => {
    expect(load(["--force-new-cluster"]).forceNewCluster).toBe(true);
    expect(load(["--force-new-cluster=T"]).forceNewCluster).toBe(true);
    expect(load(["--force-new-cluster", "--force-new-cluster=false"]).forceNewCluster).toBe(false);
    expect(errorOf(["--debug=yes"])).toBe('invalid boolean value "yes" for -debug: parse error');
  });

  test("--enable-v2 is accepted and changes nothing", () => {
    expect(load(["--enable-v2=true"])).toEqual(load([]));
    expect(load(["--enable-v2"])).toEqual(load([]));
  });

  test("--version and --help", () => {
    expect(loadConfig(["--version"], {}).kind).toBe("version");
    expect(loadConfig(["-help"], {}).kind).toBe("help");
  });

  test("several listen URLs, sorted and de-duplicated", () => {
    const c = load([
      "--listen-client-urls", "http://127.0.0.1:3,http://[::1]:4,http://127.0.0.1:3",
      "--advertise-client-urls", "http://127.0.0.1:3",
    ]);
    expect(c.listenClientURLs).toEqual(["http://127.0.0.1:3", "http://[::1]:4"]);
    expect(listenAddress(c.listenClientURLs[1]!)).toEqual({ scheme: "http", hostname: "::1", port: 4 });
  });
});

describe("environment", () => {
  test("ETCD_* sets flags; the command line wins", () => {
    const env = { ETCD_NAME: "fromenv", ETCD_SNAPSHOT_COUNT: "5", ETCD_DEBUG: "true" };
    const c = load(["--snapshot-count", "9"], env);
    expect([c.name, c.snapshotCount, c.debug]).toEqual(["fromenv", 9, true]);
  });

  test("a shadowed or unknown variable is a warning, a malformed one an error", () => {
    const r = loadConfig(["--name", "x"], { ETCD_NAME: "y", ETCD_NOPE: "1" });
    expect(r.kind === "run" && r.warnings).toEqual([
      "recognized environment variable ETCD_NAME, but unused: shadowed by corresponding flag",
      "unrecognized environment variable ETCD_NOPE=1",
    ]);
    expect(errorOf([], { ETCD_HEARTBEAT_INTERVAL: "fast" })).toBe('invalid value "fast" for flag -heartbeat-interval: parse error');
  });
});

describe("errors are one clear line", () => {
  test.each([
    [["--foo"], "flag provided but not defined: -foo"],
    [["---name", "x"], "flag provided but not defined: --name"],
    [["positional"], "'positional' is not a valid flag"],
    [["--name"], "flag needs an argument: -name"],
    [["--snapshot-count", "-1"], 'invalid value "-1" for flag -snapshot-count: parse error'],
    [["--election-timeout", "abc"], 'invalid value "abc" for flag -election-timeout: parse error'],
    [["--election-timeout", "400"], "--election-timeout[400ms] should be at least as 5 times as --heartbeat-interval[100ms]"],
    [["--heartbeat-interval", "20000", "--election-timeout", "100000"], "--election-timeout[100000ms] is too long, and should be set less than 50000ms"],
    [["--heartbeat-interval", "0"], "--heartbeat-interval must be greater than 0"],
    [["--listen-client-urls", "http://127.0.0.1:1"], "--advertise-client-urls is required when --listen-client-urls is set explicitly"],
    [["--listen-peer-urls", "notaurl"], 'invalid value "notaurl" for flag -listen-peer-urls: URL scheme must be http, https, unix, or unixs: notaurl'],
    [["--listen-peer-urls", "http://localhost"], 'invalid value "http://localhost" for flag -listen-peer-urls: URL address does not have the form "host:port": http://localhost'],
    [["--initial-advertise-peer-urls", "http://a:1/x"], 'invalid value "http://a:1/x" for flag -initial-advertise-peer-urls: URL must not contain a path: http://a:1/x'],
    [["--initial-cluster-state", "old"], 'invalid value "old" for flag -initial-cluster-state: valid values are "new", "existing"'],
    [["--proxy", "maybe"], 'invalid value "maybe" for flag -proxy: valid values are "off", "on", "readonly"'],
    [["--initial-cluster", "a=http://a:1", "--discovery", "http://d/x"], 'multiple discovery or bootstrap flags are set. Choose one of "initial-cluster", "discovery" or "discovery-srv"'],
  ])("%j", (argv, message) => {
    const m = errorOf(argv as string[]);
    expect(m).toBe(message as string);
    expect(m).not.toContain("\n");
  });
});

describe("TLS and later-issue flags are parsed", () => {
  test("client and peer TLS, deprecated ca-file implies client cert auth", () => {
    const c = load(["--cert-file", "c.pem", "--key-file", "k.pem", "--peer-ca-file", "ca.pem", "--cors", "http://a, http://b"]);
    expect(c.clientTls).toEqual({ certFile: "c.pem", keyFile: "k.pem", clientCertAuth: false, trustedCaFile: "" });
    expect(c.peerTls).toEqual({ certFile: "", keyFile: "", clientCertAuth: true, trustedCaFile: "ca.pem" });
    expect(c.corsOrigins).toEqual(["http://a", "http://b"]);
  });

  test("proxy and discovery settings", () => {
    const c = load(["--proxy", "readonly", "--proxy-read-timeout", "7", "--discovery-fallback", "exit", "--wal-dir", "w"]);
    expect([c.proxy, c.proxyReadTimeoutMs, c.proxyRefreshIntervalMs, c.discoveryFallback, c.walDir]).toEqual(["readonly", 7, 30000, "exit", "w"]);
  });
});

describe("IDs from the configured peer URLs and token", () => {
  test("agree with a real etcd 3.4 (spec cluster-api.md section 2)", () => {
    const c = load(["--initial-advertise-peer-urls", "http://127.0.0.1:22380"]);
    const id = computeMemberId(c.initialAdvertisePeerURLs, c.initialClusterToken);
    expect(id).toBe("9e737febb6b99eee");
    expect(computeClusterId([id])).toBe("c8730d66636ff140");
  });
});

test("an explicitly empty --initial-cluster is kept (bootstrap then refuses it, as etcd does); an absent one defaults", () => {
  expect(load(["--name", "m6", "--initial-cluster", ""]).initialCluster).toBe("");
  expect(load(["--name", "m6"]).initialCluster).toBe("m6=http://localhost:2380");
});
