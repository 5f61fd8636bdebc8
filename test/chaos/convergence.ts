// After healing, every member must hold the same store: the same store index (X-Etcd-Index), the
// same Raft commit index (X-Raft-Index) and the same content (a hash of the recursive sorted GET
// of "/"). Counters under /v2/stats differ per member by design and are not compared.
import { createHash } from "node:crypto";
import type { ClusterMember } from "../support/cluster.ts";

export interface MemberSnapshot {
  name: string;
  storeIndex: number;
  raftIndex: number;
  hash: string;
}

async function snapshot(m: ClusterMember): Promise<MemberSnapshot | null> {
  try {
    const r = await fetch(`${m.clientURL}/v2/keys/?recursive=true&sorted=true`, { signal: AbortSignal.timeout(3000) });
    const body = await r.text();
    if (r.status !== 200) return null;
    const storeIndex = Number(r.headers.get("x-etcd-index"));
    const raftIndex = Number(r.headers.get("x-raft-index"));
    const hash = createHash("sha256").update(`${storeIndex}\n${body}`).digest("hex").slice(0, 16);
    return { name: m.name, storeIndex, raftIndex, hash };
  } catch {
    return null;
  }
}

export interface Convergence {
  ok: boolean;
  snapshots: MemberSnapshot[];
  waitedMs: number;
}

/** Polls until all members agree, or the time is up (then the last disagreement is returned). */
export async function awaitConvergence(members: readonly ClusterMember[], options: { timeoutMs: number }): Promise<Convergence> {
  const started = Date.now();
  let last: MemberSnapshot[] = [];
  for (;;) {
    const snaps = await Promise.all(members.map(snapshot));
    last = snaps.filter((s): s is MemberSnapshot => s !== null);
    const same = (f: (s: MemberSnapshot) => unknown) => new Set(last.map(f)).size === 1;
    if (last.length === members.length && same((s) => s.storeIndex) && same((s) => s.raftIndex) && same((s) => s.hash)) {
      return { ok: true, snapshots: last, waitedMs: Date.now() - started };
    }
    if (Date.now() - started > options.timeoutMs) return { ok: false, snapshots: last, waitedMs: Date.now() - started };
    await Bun.sleep(200);
  }
}
