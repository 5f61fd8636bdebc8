// A process's threads as Linux's /proc shows them: scheduling policy and CPU time used so far.
import { readdirSync, readFileSync } from "node:fs";

/** sched(7): the policy etcbun's idle poller runs under (server/idle-poll.ts). */
export const SCHED_IDLE = 5;

export interface ThreadInfo {
  tid: string;
  /** The scheduling policy (field 41 of /proc/<pid>/task/<tid>/stat). */
  policy: number;
  /** Nanoseconds of CPU used so far (the first field of schedstat). */
  cpuNs: number;
}

/** Every thread of `pid` that could be read (one that ends between the listing and the read is left out). */
export function threads(pid: number): ThreadInfo[] {
  const out: ThreadInfo[] = [];
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
      // Fields after the command name, which is in parentheses and may hold spaces: the 3rd is [0].
      const policy = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[38]);
      const cpuNs = Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
      out.push({ tid, policy, cpuNs });
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return out;
}
