// Runs one Sequence against one server and records normalized observations.
import type { RunningServer } from "../../support/servers.ts";
import { diffValues } from "./diff.ts";
import { normalizeHeaders, normalizeJson, normalizeText, type ServerContext } from "./normalize.ts";
import { rawRequest } from "./raw-http.ts";
import { openWatch, readUntil, type OpenWatch } from "./watch.ts";
import type { CompareOptions, Expect, Observation, Req, Sequence } from "./types.ts";

export interface SequenceResult {
  observations: Observation[];
  /** `expect` mismatches, as readable lines. */
  failures: string[];
}

interface Reply {
  status: number;
  headers: Headers;
  body: string;
  redirected?: boolean;
}

export function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
}

export async function storeIndex(server: RunningServer): Promise<number> {
  const r = await fetch(`${server.clientURL}/v2/keys/`);
  await r.arrayBuffer();
  return Number(r.headers.get("x-etcd-index"));
}

/** Per-server literals (URLs, IDs) that the comparison replaces with placeholders. */
export async function serverAliases(server: RunningServer): Promise<Map<string, string>> {
  const aliases = new Map<string, string>([
    [server.clientURL, "<client-url>"],
    [server.peerURL, "<peer-url>"],
  ]);
  try {
    const r = await fetch(`${server.clientURL}/v2/members`);
    const cid = r.headers.get("x-etcd-cluster-id");
    const body = (await r.json()) as { members?: { id: string }[] };
    if (cid) aliases.set(cid, "<cluster-id>");
    for (const m of body.members ?? []) aliases.set(m.id, "<member-id>");
  } catch {
    // Without /v2/members the IDs stay literal and the comparison shows them.
  }
  return aliases;
}

interface Vars {
  base: number;
  prefix: string;
  server: RunningServer;
}

function expand(s: string, v: Vars): string {
  return s
    .replaceAll("{k}", v.prefix)
    .replaceAll("{peer}", v.server.peerURL)
    .replaceAll("{client}", v.server.clientURL)
    .replace(/\{i(?:\+(\d+))?\}/g, (_, n?: string) => String(v.base + Number(n ?? 0)))
    .replace(/\{I(?:\+(\d+))?\}/g, (_, n?: string) => String(v.base + Number(n ?? 0)).padStart(20, "0"));
}

function encodeForm(form: Record<string, string> | string, vars: Vars): string {
  if (typeof form === "string") return expand(form, vars);
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(form)) p.append(k, expand(v, vars));
  return p.toString();
}

function requestInit(req: Req, vars: Vars): { method: string; path: string; headers: Record<string, string>; body?: string } {
  const headers: Record<string, string> = {};
  let body: string | undefined;
  if (req.form !== undefined) {
    headers["Content-Type"] = "application/x-www-form-urlencoded";
    body = encodeForm(req.form, vars);
  }
  if (req.body !== undefined) body = expand(req.body, vars);
  for (const [k, v] of Object.entries(req.headers ?? {})) headers[k] = v;
  return { method: req.method ?? "GET", path: expand(req.path, vars), headers, body };
}

async function send(req: Req, vars: Vars, opts: { follow: boolean }): Promise<Reply> {
  const server = vars.server;
  const init = requestInit(req, vars);
  if (req.raw) {
    const r = await rawRequest(server.clientURL, init);
    if (opts.follow && r.status === 301 && r.headers.get("location")) {
      const again = await rawRequest(server.clientURL, { ...init, path: r.headers.get("location")! });
      return { ...again, redirected: true };
    }
    return r;
  }
  const url = server.clientURL + init.path;
  const r = await fetch(url, { method: init.method, headers: init.headers, body: init.body, redirect: "manual", signal: AbortSignal.timeout(10000) });
  const text = await r.text();
  if (opts.follow && r.status === 301 && r.headers.get("location")) {
    const next = new URL(r.headers.get("location")!, url).toString();
    const again = await fetch(next, { method: init.method, headers: init.headers, body: init.body, redirect: "manual" });
    return { status: again.status, headers: again.headers, body: await again.text(), redirected: true };
  }
  return { status: r.status, headers: r.headers, body: text };
}

function isSorted(path: string): boolean {
  const q = new URLSearchParams(path.split("?")[1] ?? "");
  return ["1", "t", "T", "true", "TRUE", "True"].includes(q.get("sorted") ?? "");
}

function parseBody(ctx: ServerContext, text: string, opts: { ordered: boolean; vary: string[] }): unknown {
  const lines = text.split("\n").filter((l) => l.length > 0);
  if (lines.length === 0) return "";
  try {
    const values = lines.map((l) => normalizeJson(ctx, JSON.parse(l), opts));
    return values.length === 1 ? values[0] : values;
  } catch {
    return normalizeText(ctx, text);
  }
}

export function describeReq(req: Req): string {
  const form = req.form === undefined ? "" : ` form=${typeof req.form === "string" ? req.form : new URLSearchParams(req.form).toString()}`;
  const headers = Object.entries(req.headers ?? {}).map(([k, v]) => ` ${k}: ${v}`).join("");
  return `${req.method ?? "GET"} ${req.path}${form}${req.body !== undefined ? ` body=${req.body.slice(0, 60)}` : ""}${headers}`;
}

function checkExpect(o: Observation, expect: Expect | undefined, ctx: ServerContext): string[] {
  if (!expect) return [];
  const out: string[] = [];
  if (expect.status !== undefined && o.status !== expect.status) out.push(`step ${o.step} (${o.what}): status ${o.status}, expected ${expect.status}`);
  if (expect.bodyJson !== undefined) {
    const want = expect.bodyJson.map((v) => normalizeJson(ctx, v, { ordered: true, vary: [] }));
    const got = Array.isArray(o.body) && expect.bodyJson.length > 1 ? o.body : [o.body];
    for (const line of diffValues(got, want)) out.push(`step ${o.step} (${o.what}): ${line}`);
  }
  return out;
}

function compareOpts(step: CompareOptions, path: string): { ordered: boolean; vary: string[] } {
  return { ordered: step.ordered ?? isSorted(path), vary: step.vary ?? [] };
}

export async function runSequence(server: RunningServer, seq: Sequence, aliases: Map<string, string>): Promise<SequenceResult> {
  const prefix = `/v2/keys/${seq.prefix ?? slug(seq.name)}`;
  const base = await storeIndex(server);
  const vars: Vars = { base, prefix, server };
  const ctx: ServerContext = { base, aliases };
  const observations: Observation[] = [];
  const expectations: [Observation, Expect | undefined][] = [];
  const watches = new Map<string, OpenWatch & { opts: { ordered: boolean; vary: string[] } }>();
  const lateHeaders: Promise<void>[] = [];
  const record = (o: Observation, expect?: Expect) => {
    observations.push(o);
    expectations.push([o, expect]);
  };
  if (seq.compareBaseIndex) record({ step: -1, what: "store index before the sequence", body: base });
  try {
    for (const [n, step] of seq.steps.entries()) {
      if (step.do === "sleep") {
        await Bun.sleep(step.ms);
      } else if (step.do === "bulk") {
        let next = 0;
        let bad: number | undefined;
        const worker = async () => {
          while (next < step.count) {
            next++;
            const r = await send(step.req, vars, { follow: false });
            if (r.status >= 300) bad ??= r.status;
          }
        };
        await Promise.all(Array.from({ length: step.concurrency ?? 16 }, worker));
        record({ step: n, what: `bulk ${step.count}× ${describeReq(step.req)}`, status: bad ?? 200 });
      } else if (step.do === "watch") {
        const init = requestInit(step, vars);
        const opts = compareOpts(step, init.path);
        const o: Observation = { step: n, what: `watch ${step.id}: ${describeReq(step)}` };
        record(o, step.expect);
        const w = await openWatch(server, init);
        if (step.checkFlush) {
          o.flushed = w.flushedAtRegistration;
          // Bytes sent before any event (etcd: none). Later reads skip blank lines either way.
          if (w.flushedAtRegistration) await readUntil(w, () => false, 100);
          o.prelude = w.buf;
        }
        if (w.lost) {
          o.error = "neither response headers nor a registered watcher within 3 s";
          w.abort.abort();
          continue;
        }
        // Status and headers are filled in whenever they arrive; a server that holds them back
        // until the event still gets its events compared.
        const filled = w.response.then((r) => {
          if (r instanceof Error) o.error = String(r);
          else Object.assign(o, { status: r.status, headers: normalizeHeaders(ctx, r.headers) });
        });
        if (!w.flushedAtRegistration) {
          lateHeaders.push(filled);
          watches.set(step.id, { ...w, opts });
          continue;
        }
        await filled;
        if (o.status === 200) {
          watches.set(step.id, { ...w, opts });
        } else {
          await readUntil(w, () => false, 5000);
          o.body = parseBody(ctx, w.buf, opts);
          o.newline = w.buf.endsWith("\n");
        }
      } else if (step.do === "await") {
        const w = watches.get(step.id);
        const what = `await ${step.id}`;
        if (!w) {
          record({ step: n, what, error: `watch ${step.id} is not open (it failed or answered with an error)` }, step.expect);
          continue;
        }
        const opts = { ...w.opts, ...compareOpts(step, ""), ordered: step.ordered ?? w.opts.ordered };
        if (step.pendingMs !== undefined) {
          const got = await readUntil(w, (b) => b.trim().length > 0, step.pendingMs);
          const o: Observation = { step: n, what: `${what} stays pending ${step.pendingMs} ms`, pending: !got };
          if (got) o.body = w.done && !w.buf ? "(connection closed)" : w.buf;
          record(o);
          continue;
        }
        const ok = step.line
          ? await readUntil(w, (b) => /\S[^\n]*\n/.test(b), step.timeoutMs ?? 5000)
          : await readUntil(w, () => false, step.timeoutMs ?? 5000);
        if (!ok) {
          record({ step: n, what, error: "timed out waiting for the event" }, step.expect);
          continue;
        }
        let text = w.buf;
        if (step.line) {
          w.buf = w.buf.replace(/^(\s*\n)+/, "");
          const cut = w.buf.indexOf("\n");
          text = cut < 0 ? w.buf : w.buf.slice(0, cut + 1);
          w.buf = w.buf.slice(text.length);
        } else {
          w.buf = "";
        }
        record({ step: n, what, body: parseBody(ctx, text, opts), newline: text.endsWith("\n") }, step.expect);
      } else if (step.do === "close") {
        watches.get(step.id)?.abort.abort();
        watches.delete(step.id);
      } else {
        const follow = step.followRedirect ?? false;
        const r = await send(step, vars, { follow });
        const init = requestInit(step, vars);
        const o: Observation = {
          step: n,
          what: describeReq(step),
          status: r.status,
          headers: normalizeHeaders(ctx, r.headers),
          body: parseBody(ctx, r.body, compareOpts(step, init.path)),
          newline: r.body.endsWith("\n"),
        };
        if (follow) {
          // Whether the mux redirected or cleaned silently is the implementation's choice.
          delete o.headers!.location;
        } else if (r.redirected) o.redirected = true;
        record(o, step.expect);
      }
    }
    // Headers that were held back arrive with the first event at the latest.
    await Promise.race([Promise.all(lateHeaders), Bun.sleep(1000)]);
  } finally {
    for (const w of watches.values()) w.abort.abort();
  }
  return { observations, failures: expectations.flatMap(([o, e]) => checkExpect(o, e, ctx)) };
}

export interface StepComparison {
  step: number;
  what: string;
  /** Empty when both servers answered alike. */
  lines: string[];
}

/** Observation-by-observation comparison of two runs of the same sequence. */
export function compareRuns(a: Observation[], b: Observation[]): StepComparison[] {
  const out: StepComparison[] = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (!x || !y) {
      out.push({ step: (x ?? y)!.step, what: (x ?? y)!.what, lines: ["only one side has an observation"] });
      continue;
    }
    out.push({ step: x.step, what: x.what, lines: diffValues({ ...x, what: undefined }, { ...y, what: undefined }) });
  }
  return out;
}
