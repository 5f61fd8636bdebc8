// What the dashboard suites run against: a single member, or a three-member cluster, of the
// compiled executable, each process started in a scratch directory (so nothing is read from the
// source tree). The suites only use `members` and `stop`.
import { spawn, type Subprocess } from "bun";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { freePort } from "../support/ports.ts";
import { etcbunPath, scratchDir, startServer, type RunningServer } from "../support/servers.ts";

export interface ClusterMember {
  name: string;
  clientURL: string;
  /** Kill this member's process (the failover test uses it). Safe to call twice. */
  stop(): Promise<void>;
}

export interface ClusterUnderTest {
  members: ClusterMember[];
  stop(): Promise<void>;
}

export type ClusterLauncher = () => Promise<ClusterUnderTest>;

function asMember(s: RunningServer): ClusterMember {
  return { name: s.name, clientURL: s.clientURL, stop: () => s.stop() };
}

/** A single etcbun member, started from the compiled executable in a scratch directory. */
export const singleMember: ClusterLauncher = async () => {
  const server = await startServer("etcbun", { name: "e2e" });
  return { members: [asMember(server)], stop: () => server.stop() };
};

const READY_TIMEOUT_MS = 30_000;
const live = new Set<Subprocess>();
process.on("exit", () => {
  for (const p of live) p.kill("SIGKILL");
});

async function answers(url: string): Promise<boolean> {
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(1000) });
    await r.arrayBuffer();
    return r.status === 200;
  } catch {
    return false;
  }
}

/** Three members of `binary` bootstrapped statically; ready once every one knows a leader. */
export function threeMembers(binary = etcbunPath): ClusterLauncher {
  return async () => {
    const root = scratchDir("e2e-cluster");
    const names = ["alpha", "beta", "gamma"];
    const urls = await Promise.all(
      names.map(async (name) => ({ name, client: `http://127.0.0.1:${await freePort()}`, peer: `http://127.0.0.1:${await freePort()}` })),
    );
    const initialCluster = urls.map((u) => `${u.name}=${u.peer}`).join(",");
    const output: string[] = [];
    const members = urls.map((u): ClusterMember => {
      const proc = spawn(
        [
          binary,
          "--name", u.name,
          "--data-dir", join(root, u.name),
          "--listen-client-urls", u.client,
          "--advertise-client-urls", u.client,
          "--listen-peer-urls", u.peer,
          "--initial-advertise-peer-urls", u.peer,
          "--initial-cluster", initialCluster,
          "--initial-cluster-token", "e2e",
        ],
        { cwd: root, stdin: "ignore", stdout: "pipe", stderr: "pipe" },
      );
      live.add(proc);
      void new Response(proc.stdout).text().then((t) => output.push(`[${u.name}] ${t}`));
      void new Response(proc.stderr).text().then((t) => output.push(`[${u.name}] ${t}`));
      return {
        name: u.name,
        clientURL: u.client,
        async stop() {
          if (!live.has(proc)) return;
          proc.kill("SIGTERM");
          const exited = await Promise.race([proc.exited.then(() => true), Bun.sleep(3000).then(() => false)]);
          if (!exited) proc.kill("SIGKILL");
          await proc.exited;
          live.delete(proc);
        },
      };
    });
    const stop = async () => {
      await Promise.all(members.map((m) => m.stop()));
      rmSync(root, { recursive: true, force: true });
    };
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      const ready = await Promise.all(members.map((m) => answers(`${m.clientURL}/v2/members/leader`)));
      if (ready.every(Boolean)) break;
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`the three-member cluster did not elect a leader in ${READY_TIMEOUT_MS} ms:\n${output.join("\n").slice(-3000)}`);
      }
      await Bun.sleep(100);
    }
    return { members, stop };
  };
}
