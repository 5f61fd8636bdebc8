// Every acknowledged write must be the key's final value, or some other mutation of the key must
// have been able to come after it (invoked before the final read, not finished before the write
// began). Linearizability with the final reads implies this; it is checked on its own too because
// its message names the lost write plainly.
import type { KeyOp } from "./history.ts";

export function findLostWrites(ops: readonly KeyOp[], finalValues: ReadonlyMap<string, string | null>): string[] {
  const byKey = new Map<string, KeyOp[]>();
  for (const op of ops) if (op.kind !== "read") byKey.set(op.key, [...(byKey.get(op.key) ?? []), op]);
  const lost: string[] = [];
  for (const [key, muts] of byKey) {
    if (!finalValues.has(key)) continue;
    const final = finalValues.get(key)!;
    for (const w of muts) {
      if (w.outcome !== "ok" || (w.kind !== "write" && w.kind !== "cas") || w.value === final) continue;
      const later = muts.some((m) => m !== w && m.outcome !== "fail" && (m.outcome === "unknown" || m.completeMs > w.invokeMs));
      if (!later) lost.push(`${key}: acknowledged ${w.kind} of ${JSON.stringify(w.value)} (client ${w.client}) is gone; final value ${JSON.stringify(final)}`);
    }
  }
  return lost;
}
