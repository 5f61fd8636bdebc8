// Human-readable account of a failing key: its operations in invoke order, with times relative to
// the first one, the longest linearization the checker found, and what was pending when it failed.
import { describeOp, type KeyOp } from "./history.ts";
import type { KeyVerdict } from "./linearizability.ts";

const LINES_MAX = 60;

function ms(t: number, t0: number): string {
  return t === Infinity ? "    ?    " : `${(t - t0).toFixed(1).padStart(9)}`;
}

export function formatKeyFailure(v: KeyVerdict, ops: readonly KeyOp[]): string {
  const mine = ops.filter((o) => o.key === v.key).sort((a, b) => a.invokeMs - b.invokeMs);
  const t0 = mine[0]?.invokeMs ?? 0;
  const order = new Map(v.deepest.map((o, i) => [o.id, i + 1]));
  const stuck = new Set(v.stuckAt.map((o) => o.id));
  // Around the point of failure: the operations the search was holding, and some context before.
  // Unknown outcomes stay pending forever, so the window centres on the definite ones.
  const firstStuck = mine.findIndex((o) => stuck.has(o.id) && o.outcome !== "unknown");
  const from = Math.max(0, (firstStuck < 0 ? mine.length : firstStuck) - LINES_MAX / 2);
  const shown = mine.slice(from, from + LINES_MAX);
  const lines = [
    `key ${v.key}: ${v.undecided ? "UNDECIDED (search budget spent)" : "NOT linearizable"} (${v.ops} operations; longest linearizable prefix ${v.deepest.length})`,
    `  ${"invoke ms".padStart(9)} ${"done ms".padStart(9)} client  lin#  operation`,
  ];
  if (from > 0) lines.push(`  ... ${from} earlier operations`);
  for (const o of shown) {
    const mark = order.has(o.id) ? String(order.get(o.id)).padStart(4) : stuck.has(o.id) ? "  !!" : "    ";
    const where = o.member ? ` @${o.member}` : "";
    const note = o.note ? ` (${o.note})` : "";
    lines.push(`  ${ms(o.invokeMs, t0)} ${ms(o.outcome === "unknown" ? Infinity : o.completeMs, t0)} c${String(o.client).padEnd(5)} ${mark}  ${describeOp(o)}${where}${note}`);
  }
  if (from + LINES_MAX < mine.length) lines.push(`  ... ${mine.length - from - LINES_MAX} later operations`);
  lines.push("  lin# = position in the longest linearization found; !! = pending, none of them fits next");
  if (v.deepest.length > 0) {
    const last = v.deepest.slice(-5).map(describeOp).join("; ");
    lines.push(`  that linearization ends: ${last}`);
  }
  return lines.join("\n");
}
