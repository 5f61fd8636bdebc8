// One v2 keys request per operation, its answer classified the way the checker needs it:
// ok, fail (the server said it definitely did not happen), or unknown (no usable answer).
import type { KeyOp, OpKind, Outcome } from "./history.ts";

export interface Answer {
  outcome: Outcome;
  /** The request was never sent (no member to send it to): it constrains nothing. */
  notSent?: boolean;
  result?: string | null;
  note?: string;
}

interface Body {
  errorCode?: number;
  message?: string;
  cause?: string;
  node?: { value?: string };
}

function keyURL(base: string, key: string): string {
  return `${base}/v2/keys/${key.split("/").map(encodeURIComponent).join("/")}`;
}

function request(op: Pick<KeyOp, "kind" | "key" | "value" | "expected">, base: string): { url: string; init: RequestInit } {
  const url = keyURL(base, op.key);
  const form = (f: Record<string, string>) => ({ "Content-Type": "application/x-www-form-urlencoded", body: new URLSearchParams(f).toString() });
  switch (op.kind) {
    case "read":
      return { url: `${url}?quorum=true`, init: { method: "GET" } };
    case "write": {
      const { body, ...headers } = form({ value: op.value! });
      return { url, init: { method: "PUT", headers, body } };
    }
    case "cas": {
      const { body, ...headers } = form({ value: op.value!, prevValue: op.expected! });
      return { url, init: { method: "PUT", headers, body } };
    }
    case "delete":
      return { url, init: { method: "DELETE" } };
  }
}

function classify(kind: OpKind, status: number, body: Body | null): Answer {
  const code = body?.errorCode;
  if (status === 200 || status === 201) {
    return kind === "read" ? { outcome: "ok", result: body?.node?.value ?? null } : { outcome: "ok" };
  }
  if (code === 100 && kind === "read") return { outcome: "ok", result: null };
  if (code === 100 && (kind === "cas" || kind === "delete")) return { outcome: "fail", note: "100 key not found" };
  if (code === 101 && kind === "cas") return { outcome: "fail", note: "101 compare failed" };
  // 300 (timeout, no leader), 5xx, proxy errors: the proposal may still commit later.
  return { outcome: "unknown", note: `${status} ${code ?? ""} ${body?.cause ?? body?.message ?? ""}`.trim() };
}

export async function perform(op: Pick<KeyOp, "kind" | "key" | "value" | "expected">, base: string, options: { timeoutMs: number }): Promise<Answer> {
  const { url, init } = request(op, base);
  let status: number;
  let text: string;
  try {
    const r = await fetch(url, { ...init, signal: AbortSignal.timeout(options.timeoutMs) });
    status = r.status;
    text = await r.text();
  } catch (e) {
    const err = e as Error & { code?: string };
    // Even "connection refused" is unknown: fetch retries a request whose kept-alive connection
    // was reset, so the refusal may follow a first attempt that reached the server (seen: values
    // of "refused" writes read back later, seed 103).
    return { outcome: "unknown", note: err.name === "TimeoutError" ? "client timeout" : `network: ${err.message}` };
  }
  let body: Body | null = null;
  try {
    body = JSON.parse(text) as Body;
  } catch {
    // Not JSON (a proxy or a dying server): classified by status alone.
  }
  return classify(op.kind, status, body);
}
