// Turn one server's answer into something comparable with the other's: indexes become deltas
// from the index before the sequence, timestamps become a token once their format is checked,
// and each server's own URLs and IDs become placeholders.

export interface ServerContext {
  /** Store index before the sequence ran. */
  base: number;
  /** Literal strings that differ per server (URLs, member and cluster IDs) → placeholder. */
  aliases: Map<string, string>;
}

export interface NormalizeOptions {
  ordered: boolean;
  vary: string[];
}

// Go's time.Time JSON: RFC 3339 with up to 9 fractional digits, trailing zeros trimmed.
const goTime = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{0,8}[1-9])?(Z|[+-]\d\d:\d\d)$/;
const goTimeInText = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)/g;
// Go's time.Duration String(): "1h2m3.5s", "850.5ms", "12µs", "0s".
const goDuration = /^(\d+h)?(\d+m)?\d+(\.\d+)?(s|ms|µs|ns)$/;
const inOrderName = /\/(\d{20})(?!\d)/g;

export function indexToken(ctx: ServerContext, v: number): string | number {
  return v === 0 ? 0 : `#${v - ctx.base}`;
}

function text(ctx: ServerContext, s: string): string {
  let out = s;
  for (const [literal, alias] of ctx.aliases) if (literal) out = out.split(literal).join(alias);
  out = out.replace(inOrderName, (_, digits: string) => `/<${indexToken(ctx, Number(digits))}>`);
  return out.replace(goTimeInText, "<time>");
}

function cause(ctx: ServerContext, s: string): string {
  const idx = (n: string) => String(indexToken(ctx, Number(n)));
  return text(ctx, s)
    .replace(/has been cleared \[(\d+)\/(\d+)\]/, (_, a: string, b: string) => `has been cleared [${idx(a)}/${idx(b)}]`)
    .replace(/\[(\d+) != (\d+)\]/g, (_, a: string, b: string) => `[${idx(a)} != ${idx(b)}]`);
}

function varies(path: string[], patterns: string[]): boolean {
  return patterns.some((p) => {
    const parts = p.split(".");
    return parts.length === path.length && parts.every((q, i) => q === "*" || q === path[i]);
  });
}

function typeToken(v: unknown): string {
  return `<${Array.isArray(v) ? "array" : v === null ? "null" : typeof v}>`;
}

function walk(ctx: ServerContext, v: unknown, path: string[], opts: NormalizeOptions): unknown {
  if (varies(path, opts.vary)) return typeToken(v);
  const field = path[path.length - 1];
  if (Array.isArray(v)) {
    const items = v.map((x, i) => walk(ctx, x, [...path, String(i)], opts));
    if (field === "nodes" && !opts.ordered) {
      const key = (n: unknown) => String((n as { key?: string }).key);
      items.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
    }
    return items;
  }
  if (v && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = walk(ctx, x, [...path, k], opts);
    return out;
  }
  if (typeof v === "number" && (field === "modifiedIndex" || field === "createdIndex" || (field === "index" && path.length === 1))) {
    return indexToken(ctx, v);
  }
  if (typeof v === "string") {
    if (field === "expiration" || field === "startTime") return goTime.test(v) ? "<time>" : `<not a Go time: ${v}>`;
    if (field === "uptime") return goDuration.test(v) ? "<duration>" : `<not a Go duration: ${v}>`;
    if (field === "cause") return cause(ctx, v);
    return text(ctx, v);
  }
  return v;
}

export function normalizeJson(ctx: ServerContext, v: unknown, opts: NormalizeOptions): unknown {
  return walk(ctx, v, [], opts);
}

export function normalizeText(ctx: ServerContext, s: string): string {
  return text(ctx, s);
}

/** The headers the suite compares; everything else (Date, CORS, lengths) is ignored. */
export function normalizeHeaders(ctx: ServerContext, h: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  const idx = h.get("x-etcd-index");
  if (idx !== null) out["x-etcd-index"] = /^\d+$/.test(idx) ? String(indexToken(ctx, Number(idx))) : `<bad: ${idx}>`;
  for (const name of ["x-raft-index", "x-raft-term"]) {
    const v = h.get(name);
    if (v !== null) out[name] = /^\d+$/.test(v) ? "<number>" : `<bad: ${v}>`;
  }
  const cid = h.get("x-etcd-cluster-id");
  if (cid !== null) out["x-etcd-cluster-id"] = /^[0-9a-f]{1,16}$/.test(cid) ? "<hex>" : `<bad: ${cid}>`;
  for (const name of ["content-type", "allow", "location"]) {
    const v = h.get(name);
    if (v !== null) out[name] = text(ctx, v);
  }
  return out;
}
