// Structural difference of two normalized observations, as readable lines. Field order of JSON
// objects counts (etcd emits a fixed order); `ttl` may differ by one second because the two
// servers answer at slightly different moments.

function show(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? "(absent)" : s.length > 300 ? `${s.slice(0, 300)}…` : s;
}

export function diffValues(a: unknown, b: unknown, path = "$"): string[] {
  if (a === b) return [];
  const field = path.slice(path.lastIndexOf(".") + 1);
  if (field === "ttl" && typeof a === "number" && typeof b === "number") {
    return Math.abs(a - b) <= 1 ? [] : [`${path}: ${a} vs ${b}`];
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const out: string[] = [];
    if (a.length !== b.length) out.push(`${path}: length ${a.length} vs ${b.length}`);
    for (let i = 0; i < Math.min(a.length, b.length); i++) out.push(...diffValues(a[i], b[i], `${path}[${i}]`));
    return out;
  }
  if (a && b && typeof a === "object" && typeof b === "object" && !Array.isArray(a) && !Array.isArray(b)) {
    const out: string[] = [];
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    for (const k of ka) if (!(k in b)) out.push(`${path}.${k}: ${show((a as Record<string, unknown>)[k])} vs (absent)`);
    for (const k of kb) if (!(k in a)) out.push(`${path}.${k}: (absent) vs ${show((b as Record<string, unknown>)[k])}`);
    for (const k of ka) {
      if (k in b) out.push(...diffValues((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`));
    }
    const common = (keys: string[], other: object) => keys.filter((k) => k in other).join(",");
    if (out.length === 0 && common(ka, b) !== common(kb, a)) out.push(`${path}: field order ${ka.join(",")} vs ${kb.join(",")}`);
    return out;
  }
  return [`${path}: ${show(a)} vs ${show(b)}`];
}
