// Memory benchmark: resident memory of a single member of etcd and of etcbun, idle and after
// writing many keys, both started the same way.
import { startServer, type ServerKind } from "../test/support/servers.ts";
import { populate } from "./measure.ts";
import { pidWithArg, vmRssKiB } from "./rss.ts";

export interface MemoryOptions {
  keys: number;
  valueBytes: number;
  /** Concurrent writers; enough to keep a Raft pipeline busy. */
  writers: number;
  /**
   * How long background work (snapshots, compaction, GC) may settle after the last write before
   * RSS is read: the resident memory of a member gone quiet after a burst, for both servers
   * (etcbun collects once writes have stood still 0.5 s; at 1 s after the last write its RSS was
   * 0.87x etcd's). The bench uses 3 s.
   */
  settleMs: number;
}

export interface MemoryResult {
  idleKiB: number;
  loadedKiB: number;
  writeSeconds: number;
}

export async function measureMemory(kind: ServerKind, opts: MemoryOptions): Promise<MemoryResult> {
  const s = await startServer(kind, { name: "bench-mem" });
  try {
    const pid = pidWithArg(s.dataDir);
    const idleKiB = vmRssKiB(pid);
    const t0 = performance.now();
    await populate([s.clientURL], { keys: opts.keys, valueBytes: opts.valueBytes, concurrency: opts.writers });
    const writeSeconds = (performance.now() - t0) / 1000;
    await Bun.sleep(opts.settleMs);
    return { idleKiB, loadedKiB: vmRssKiB(pid), writeSeconds };
  } finally {
    await s.stop();
  }
}
