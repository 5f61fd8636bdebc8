// Runs one Sequence against one server and records normalized observations.
import type { RunningServer } from "../../support/servers.ts";
import { diffValues } from "./diff.ts";
import { normalizeHeaders, normalizeJson, normalizeText, type ServerContext } from "./normalize.ts";
import { rawRequest } from "./raw-http.ts";
import type { CompareOptions, Expect, Observation, Req, Sequence, Step } from "./types.ts";

export interface SequenceResult {
  observations: Observation[];
  /** `expect` mismatches, as readable lines. */
  failures: string[];
}

interface Watch {
  res: Response;
  reader: ReadableStreamDefaultReader<Uint8Array>;
  buf: string;
  done: boolean;
  inflight: ReturnType<ReadableStreamDefaultReader<Uint8Array>["read"]> | null;
  abort: AbortController;
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
  return `${req.method ?? "GET"} ${req.path}${form}${req.body !== undefined ? ` body=${req.body.slice(0, 60)}` : ""}`;
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

async function readUntil(w: Watch, want: (buf: string) => boolean, waitMs: number): Promise<boolean> {
  const deadline = Date.now() + waitMs;
  const dec = new TextDecoder();
  while (!want(w.buf) && !w.done) {
    w.inflight ??= w.reader.read();
    const left = deadline - Date.now();
    if (left <= 0) return false;
    const r = await Promise.race([w.inflight, Bun.sleep(left).then(() => null)]);
    if (r === null) return false;
    w.inflight = null;
    if (r.done) w.done = true;
    else w.buf += dec.decode(r.value, { stream: true });
  }
  return true;
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
  const failures: string[] = [];
  const watches = new Map<string, Watch & { opts: { ordered: boolean; vary: string[] } }>();
  const record = (o: Observation, expect?: Expect) => {
    observations.push(o);
    failures.push(...checkExpect(o, expect, ctx));
  };
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
        const abort = new AbortController();
        const what = `watch ${step.id}: ${describeReq(step)}`;
        const headersLate = setTimeout(() => abort.abort(new Error("watch headers not flushed within 3 s")), 3000);
        let res: Response;
        try {
          res = await fetch(server.clientURL + init.path, { method: init.method, headers: init.headers, body: init.body, signal: abort.signal });
        } catch (err) {
          record({ step: n, what, error: String(err) }, step.expect);
          continue;
        } finally {
          clearTimeout(headersLate);
        }
        const opts = compareOpts(step, init.path);
        const w = { res, reader: res.body!.getReader(), buf: "", done: false, inflight: null, abort, opts };
        const o: Observation = { step: n, what, status: res.status, headers: normalizeHeaders(ctx, res.headers) };
        if (res.status !== 200) {
          await readUntil(w, () => false, 5000);
          o.body = parseBody(ctx, w.buf, opts);
          o.newline = w.buf.endsWith("\n");
        } else {
          watches.set(step.id, w);
        }
        record(o, step.expect);
      } else if (step.do === "await") {
        const w = watches.get(step.id);
        const what = `await ${step.id}`;
        if (!w) {
          record({ step: n, what, error: `watch ${step.id} is not open (it failed or answered with an error)` }, step.expect);
          continue;
        }
        const opts = { ...w.opts, ...compareOpts(step, "") , ordered: step.ordered ?? w.opts.ordered };
        if (step.pendingMs !== undefined) {
          const got = await readUntil(w, (b) => b.length > 0, step.pendingMs);
          const o: Observation = { step: n, what: `${what} stays pending ${step.pendingMs} ms`, pending: !got };
          if (got) o.body = w.done && !w.buf ? "(connection closed)" : w.buf;
          record(o);
          continue;
        }
        const ok = step.line
          ? await readUntil(w, (b) => b.includes("\n"), step.timeoutMs ?? 5000)
          : await readUntil(w, () => false, step.timeoutMs ?? 5000);
        if (!ok) {
          record({ step: n, what, error: "timed out waiting for the event" }, step.expect);
          continue;
        }
        let text = w.buf;
        if (step.line) {
          const cut = w.buf.indexOf("\n");
          text = cut < 0 ? w.buf : w.buf.slice(0, cut + 1);
          w.buf = w.buf.slice(text.length);
        } else {
          w.buf = "";
        }
        record({ step: n, what, body: parseBody(ctx, text, opts), newline: text.endsWith("\n") }, step.expect);
      } else if (step.do === "close") {
        const w = watches.get(step.id);
        w?.abort.abort();
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
  } finally {
    for (const w of watches.values()) w.abort.abort();
  }
  return { observations, failures };
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
