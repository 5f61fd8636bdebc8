// Runs real client programs (etcdctl v2, python-etcd) against a server and normalizes what they
// print so that etcd's and etcbun's outputs can be compared line by line.
import { spawn } from "bun";
import { existsSync } from "node:fs";
import { indexToken, normalizeText, type ServerContext } from "../conformance/harness/normalize.ts";
import type { RunningServer } from "../support/servers.ts";

export interface CtlResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function etcdctlPath(): string | null {
  if (existsSync("/usr/bin/etcdctl")) return "/usr/bin/etcdctl";
  return Bun.which("etcdctl") ?? null;
}

export function ctlEnv(server: RunningServer): Record<string, string> {
  return { ...process.env, ETCDCTL_API: "2", ETCDCTL_ENDPOINTS: server.clientURL } as Record<string, string>;
}

export async function runCtl(server: RunningServer, args: string[], opts: { timeoutMs?: number } = {}): Promise<CtlResult> {
  const proc = spawn([etcdctlPath()!, ...args], { env: ctlEnv(server), stdout: "pipe", stderr: "pipe", stdin: "ignore" });
  const timer = setTimeout(() => proc.kill("SIGKILL"), opts.timeoutMs ?? 20000);
  const [stdout, stderr] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  await proc.exited;
  clearTimeout(timer);
  return { code: proc.exitCode, stdout, stderr };
}

/** A long-running client (watch, exec-watch) whose output is collected until it exits or is stopped. */
export function startCtl(server: RunningServer, args: string[]) {
  const proc = spawn([etcdctlPath()!, ...args], { env: ctlEnv(server), stdout: "pipe", stderr: "pipe", stdin: "ignore" });
  let stdout = "";
  const dec = new TextDecoder();
  const reading = (async () => {
    const reader = proc.stdout.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      stdout += dec.decode(value, { stream: true });
    }
  })();
  const stderrText = new Response(proc.stderr).text();
  return {
    /** Resolves once stdout has `lines` lines, or throws after the timeout. */
    async waitLines(lines: number, timeoutMs = 15000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (stdout.split("\n").length - 1 < lines) {
        if (Date.now() > deadline) throw new Error(`etcdctl ${args.join(" ")}: wanted ${lines} lines, got ${JSON.stringify(stdout)}`);
        await Bun.sleep(20);
      }
    },
    async finish(timeoutMs = 15000): Promise<CtlResult> {
      const timer = setTimeout(() => proc.kill("SIGKILL"), timeoutMs);
      await proc.exited;
      clearTimeout(timer);
      await reading;
      return { code: proc.exitCode, stdout, stderr: await stderrText };
    },
    async stop(): Promise<CtlResult> {
      proc.kill("SIGTERM");
      await proc.exited;
      await reading;
      return { code: 0, stdout, stderr: await stderrText };
    },
  };
}

/** Client output with this server's URLs, IDs, indexes (as deltas) and timestamps made comparable. */
export function normalizeOutput(ctx: ServerContext, text: string): string {
  const idx = (n: string) => String(indexToken(ctx, Number(n)));
  return normalizeText(ctx, text)
    .replace(/\[(\d+)\]$/gm, (_, n: string) => `[${idx(n)}]`)
    .replace(/^(Created-Index|Modified-Index|Index): (\d+)$/gm, (_, f: string, n: string) => `${f}: ${idx(n)}`)
    .replace(/"(createdIndex|modifiedIndex)":(\d+)/g, (_, f: string, n: string) => `"${f}":"${idx(n)}"`)
    .replace(/\bidx=(\d+)/g, (_, n: string) => `idx=${idx(n)}`);
}
