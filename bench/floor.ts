// One client writing to three members: etcd 3.4, etcbun, and the floor relay (floor-relay.ts,
// the least any Bun server wired like etcbun can do per write), measured in alternating windows
// with all three deployments up, and the CPU each member spends per write.
//
//   bun bench/floor.ts [--rounds 8] [--seconds 2] [--settle-ms 6000] [--out FILE]
//
// Why alternating windows: on the 2-vCPU benchmark VM one 2 s window differs from the next by up
// to ~20% for the same server (the host's load moves under the guest), so a comparison run one
// deployment after another, minutes apart, carries that drift into its ratio. Here each round runs
// one window per deployment, in a rotating order, and the ratios are taken round by round.
//
// CPU per write is every thread of a member (/proc/<pid>/task/*/schedstat, nanoseconds) over the
// window divided by the writes the client completed in it: unlike throughput, it says where the
// time goes, member by member. Of it, the part on SCHED_IDLE threads is etcbun's idle poll
// (spinning while nothing else wants the CPU), reported apart.
import { spawn, type Subprocess } from "bun";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { freePort } from "../test/support/ports.ts";
import { SCHED_IDLE, threads } from "../test/support/threads.ts";
import { etcdPath, scratchDir } from "../test/support/servers.ts";
import { median, populate } from "./measure.ts";
import { measureOneClient, oneClientPath } from "./one-client.ts";
import { pidWithArg } from "./rss.ts";
import { startBenchCluster } from "./scenarios.ts";

const { values: args } = parseArgs({
  options: {
    rounds: { type: "string", default: "8" },
    seconds: { type: "string", default: "2" },
    "settle-ms": { type: "string", default: "6000" },
    out: { type: "string" },
  },
});
const rounds = Number(args.rounds);
const windowMs = Number(args.seconds) * 1000;
const settleMs = Number(args["settle-ms"]);
const KEYS = 1000;
const VALUE_BYTES = 64;

/**
 * Nanoseconds of CPU every thread of `pid` has used so far (`allNs`), and the part of it on its
 * SCHED_IDLE threads (`idleNs`: etcbun's idle poller, see server/idle-poll.ts), from one listing.
 */
export function cpuNs(pid: number): { allNs: number; idleNs: number } {
  // A thread that ended is gone from the listing, and its time from the totals.
  let allNs = 0;
  let idleNs = 0;
  for (const t of threads(pid)) {
    allNs += t.cpuNs;
    if (t.policy === SCHED_IDLE) idleNs += t.cpuNs;
  }
  return { allNs, idleNs };
}

export interface Deployment {
  name: string;
  /** The leader's client URL: the lone client writes there. */
  url: string;
  leaderPid: number;
  followerPids: number[];
  stop(): Promise<void>;
}

async function clusterDeployment(name: string, kind: "etcd" | "etcbun"): Promise<Deployment> {
  const { cluster: c, leader } = await startBenchCluster(kind);
  return {
    name,
    url: leader.clientURL,
    leaderPid: pidWithArg(leader.dataDir),
    followerPids: c.members.filter((m) => m !== leader).map((m) => pidWithArg(m.dataDir)),
    stop: () => c.stop(),
  };
}

/** The relay, with the scratch dir its processes keep their logs in. */
export async function floorDeployment(): Promise<Deployment & { dir: string }> {
  const dir = scratchDir("floor");
  const [client, p0, p1, p2] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const relay = join(import.meta.dir, "floor-relay.ts");
  const start = (role: string, clientPort: number, own: number, peers: number[]) =>
    spawn([process.execPath, relay, role, dir, String(clientPort), String(own), ...peers.map(String)], { stdout: "pipe", stderr: "inherit" });
  const followers = [start("follower", 0, p1!, [p0!, p2!]), start("follower", 0, p2!, [p0!, p1!])];
  const leader = start("leader", client!, p0!, [p1!, p2!]);
  const all: Subprocess<"ignore", "pipe", "inherit">[] = [leader, ...followers];
  const stop = async () => {
    for (const p of all) p.kill();
    await Promise.all(all.map((p) => p.exited));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await Promise.all(
      all.map(async (p) => {
        const first = await p.stdout.getReader().read();
        if (!new TextDecoder().decode(first.value).includes("ready")) throw new Error("floor relay did not start");
      }),
    );
  } catch (e) {
    await stop();
    throw e;
  }
  return { name: "floor (Bun relay)", url: `http://127.0.0.1:${client}`, leaderPid: leader.pid, followerPids: followers.map((p) => p.pid), stop, dir };
}

interface Window {
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  leaderCpuUs: number;
  followerCpuUs: number;
  /** Of those, the SCHED_IDLE threads (etcbun's idle poll). */
  leaderPollUs: number;
  followerPollUs: number;
}

async function measureWindow(d: Deployment, durationMs: number): Promise<Window> {
  const read = () => ({ leader: cpuNs(d.leaderPid), followers: d.followerPids.map((pid) => cpuNs(pid)) });
  const before = read();
  const m = await measureOneClient(d.url, "put", { warmupMs: 0, durationMs, keys: KEYS, valueBytes: VALUE_BYTES });
  const after = read();
  const writes = m.requests;
  const perWrite = (pick: (c: ReturnType<typeof cpuNs>) => number) => ({
    leader: (pick(after.leader) - pick(before.leader)) / 1000 / writes,
    follower: after.followers.reduce((s, c, i) => s + (pick(c) - pick(before.followers[i]!)), 0) / 1000 / writes / d.followerPids.length,
  });
  const all = perWrite((c) => c.allNs);
  const poll = perWrite((c) => c.idleNs);
  return { requestsPerSec: m.requestsPerSec, p50Ms: m.p50Ms, p99Ms: m.p99Ms, leaderCpuUs: all.leader, followerCpuUs: all.follower, leaderPollUs: poll.leader, followerPollUs: poll.follower };
}

if (import.meta.main) {
  if (oneClientPath() === null) {
    console.error("bench/floor.ts needs a C compiler to build bench/one-client.c (apt-get install gcc)");
    process.exit(1);
  }
  const deployments: Deployment[] = [];
  try {
    if (etcdPath()) deployments.push(await clusterDeployment("etcd 3.4", "etcd"));
    else console.error("etcd is not installed (apt-get install etcd-server): measuring etcbun and the floor only");
    deployments.push(await clusterDeployment("etcbun", "etcbun"));
    deployments.push(await floorDeployment());
    for (const d of deployments) {
      await populate([d.url], { keys: KEYS, valueBytes: VALUE_BYTES });
      // Unmeasured one-client load first: Bun's JIT compiles the per-write path in the first seconds.
      await measureOneClient(d.url, "put", { warmupMs: 0, durationMs: settleMs, keys: KEYS, valueBytes: VALUE_BYTES });
    }
    const windows = new Map<string, Window[]>(deployments.map((d) => [d.name, []]));
    for (let r = 0; r < rounds; r++) {
      // Rotate who goes first, so no deployment always follows the same one.
      for (let i = 0; i < deployments.length; i++) {
        const d = deployments[(r + i) % deployments.length]!;
        const w = await measureWindow(d, windowMs);
        windows.get(d.name)!.push(w);
        console.error(
          `round ${r + 1} ${d.name}: ${w.requestsPerSec.toFixed(0)} writes/s, p99 ${w.p99Ms.toFixed(2)} ms, CPU/write leader ${w.leaderCpuUs.toFixed(0)} us (${w.leaderPollUs.toFixed(0)} polling), follower ${w.followerCpuUs.toFixed(0)} us (${w.followerPollUs.toFixed(0)} polling)`,
        );
      }
    }
    const etcd = windows.get("etcd 3.4");
    const lines = [
      `One client, PUT, 3 members: ${rounds} rounds of ${windowMs / 1000} s windows, alternating; medians over rounds. CPU per write: all threads of the process; in brackets the part on SCHED_IDLE threads (etcbun's idle poll).`,
      "",
      "| deployment | writes/s | p50 ms | p99 ms | CPU/write leader us | CPU/write follower us | writes/s vs etcd (median of rounds) | p99 vs etcd |",
      "|---|---:|---:|---:|---:|---:|---:|---:|",
    ];
    for (const d of deployments) {
      const ws = windows.get(d.name)!;
      const ratio = (f: (w: Window) => number) => (etcd && d.name !== "etcd 3.4" ? `${median(ws.map((w, i) => f(w) / f(etcd[i]!))).toFixed(2)}x` : "");
      lines.push(
        `| ${d.name} | ${median(ws.map((w) => w.requestsPerSec)).toFixed(0)} | ${median(ws.map((w) => w.p50Ms)).toFixed(3)} | ${median(ws.map((w) => w.p99Ms)).toFixed(3)} | ${median(ws.map((w) => w.leaderCpuUs)).toFixed(0)} (${median(ws.map((w) => w.leaderPollUs)).toFixed(0)}) | ${median(ws.map((w) => w.followerCpuUs)).toFixed(0)} (${median(ws.map((w) => w.followerPollUs)).toFixed(0)}) | ${ratio((w) => w.requestsPerSec)} | ${ratio((w) => w.p99Ms)} |`,
      );
    }
    const report = lines.join("\n");
    console.log(report);
    if (args.out) {
      mkdirSync(dirname(args.out), { recursive: true });
      writeFileSync(args.out, report + "\n");
    }
  } finally {
    for (const d of deployments) await d.stop().catch(() => {});
  }
}
