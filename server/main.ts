// Command line → member (proxy and discovery modes come later). Nothing else lives here.
import "./runtime-tuning.ts"; // first: it may re-execute the process before anything else loads
import { collectWhenIdle } from "./idle-gc.ts";
import { startIdlePoll } from "./idle-poll.ts";
import { BootstrapError } from "./bootstrap/static.ts";
import { type Config, ConfigError, helpText, loadConfig } from "./config/index.ts";
import { serve } from "./api/serve.ts";
import { startMember } from "./member/start.ts";
import { ETCD_CLUSTER_VERSION, ETCD_SERVER_VERSION } from "./member/version.ts";
import { WalCorruptError } from "./wal/index.ts";
import pkg from "../package.json" with { type: "json" };

function fail(message: string): never {
  console.error(`etcbun: ${message}`);
  process.exit(1);
}

function loadOrExit(argv: string[]): Config {
  try {
    const loaded = loadConfig(argv, process.env);
    if (loaded.kind === "help") {
      console.log(helpText());
      process.exit(0);
    }
    if (loaded.kind === "version") {
      console.log(`etcbun Version: ${pkg.version}\netcd API Version: ${ETCD_SERVER_VERSION} (cluster ${ETCD_CLUSTER_VERSION})\nBun Version: ${Bun.version}\nOS/Arch: ${process.platform}/${process.arch}`);
      process.exit(0);
    }
    for (const w of loaded.warnings) console.error(`etcbun: warning: ${w}`);
    return loaded.config;
  } catch (e) {
    if (e instanceof ConfigError) fail(`error verifying flags, ${e.message}. See 'etcbun --help'.`);
    throw e;
  }
}

/** Best effort: a missing opener or a headless machine is not an error. */
function openBrowser(url: string): void {
  const opener = Bun.which("xdg-open") ?? Bun.which("open");
  if (opener === null) return;
  try {
    Bun.spawn([opener, url], { stdio: ["ignore", "ignore", "ignore"] }).unref();
  } catch {
    // Nothing to do: the URL was printed.
  }
}

async function main(): Promise<void> {
  const config = loadOrExit(process.argv.slice(2));
  if (config.proxy !== "off") fail("proxy mode is not supported yet");
  if (config.discovery !== "" || config.discoverySrv !== "") fail("discovery bootstrap is not supported yet; use --initial-cluster");

  const idlePoll = startIdlePoll(config.idlePollUs, (line) => console.error(`etcbun: ${line}`));
  const touch = idlePoll ? () => idlePoll.touch() : undefined;
  let started;
  try {
    started = await startMember(config, { onFatal: (reason) => fail(`member stopped: ${reason}`), onPeerMessage: touch });
  } catch (e) {
    // A corrupt WAL is an operator's problem, not a bug: one line naming file and offset, no trace.
    if (e instanceof BootstrapError || e instanceof ConfigError || e instanceof WalCorruptError) fail(e.message);
    throw e;
  }
  let server;
  try {
    server = serve(config, started.member, { onRequest: touch });
  } catch (e) {
    fail(`cannot listen for clients on ${config.listenClientURLs.join(",")}: ${(e as Error).message}`);
  }
  const member = started.member;
  const clients = server;
  // Idle means no writes applied and no client request received for a whole interval.
  collectWhenIdle(() => member.store.index + clients.requestCount(), {
    intervalMs: 500,
    log: process.env.ETCBUN_DEBUG_GC ? (l) => console.error(`etcbun: ${l}`) : undefined,
  });
  console.error(`etcbun: serving client requests on ${server.urls.join(", ")}; data in ${config.dataDir}`);
  const dashboardURL = `${config.advertiseClientURLs[0]}/dashboard`;
  if (config.openDashboard) {
    console.log(`etcbun: dashboard at ${dashboardURL}`);
    openBrowser(dashboardURL);
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.error(`etcbun: received ${signal}, stopping`);
    await server.stop();
    await started.stop();
    idlePoll?.stop();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
}

await main();
