// Resident memory of a server process, from /proc (Linux): the launchers do not hand out pids, so
// the process is found by an argument only it has (its data dir).
import { readdirSync, readFileSync } from "node:fs";

/** VmRSS of a /proc/<pid>/status text, in KiB. */
export function parseVmRssKiB(status: string): number {
  const m = status.match(/^VmRSS:\s+(\d+)\s+kB$/m);
  if (!m) throw new Error("no VmRSS line in /proc status");
  return Number(m[1]);
}

export function vmRssKiB(pid: number): number {
  return parseVmRssKiB(readFileSync(`/proc/${pid}/status`, "utf8"));
}

/** The one live process whose command line has `arg` as a whole argument. */
export function pidWithArg(arg: string): number {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
    } catch {
      continue; // exited while we looked
    }
    if (argv.includes(arg)) found.push(Number(entry));
  }
  if (found.length !== 1) throw new Error(`expected one process with argument ${arg}, found ${found.length}`);
  return found[0]!;
}
