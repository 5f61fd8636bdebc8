// One recorded client operation on one key. Times are milliseconds on one monotonic clock
// (performance.now() of the recording process), so invoke/complete order across clients is real.

export type OpKind = "read" | "write" | "cas" | "delete";

/**
 * ok: the server said it happened. fail: the server said it definitely did not (a compare
 * failure, key not found). unknown: no answer (timeout, reset, 5xx): it may or may not have
 * taken effect, at any moment after its invoke.
 */
export type Outcome = "ok" | "fail" | "unknown";

export interface KeyOp {
  id: number;
  /** Which client issued it; a client has at most one operation in flight. */
  client: number;
  key: string;
  kind: OpKind;
  /** New value for write and cas. */
  value?: string;
  /** Compared value for cas. */
  expected?: string;
  /** What a successful read returned: null when the key was absent. */
  result?: string | null;
  outcome: Outcome;
  invokeMs: number;
  /** Infinity for unknown outcomes: they may take effect arbitrarily late. */
  completeMs: number;
  /** Which member served it, and the error text, for failure reports only. */
  member?: string;
  note?: string;
}

export function describeOp(op: KeyOp): string {
  const v = (x: string | null | undefined) => (x === null || x === undefined ? "∅" : JSON.stringify(x));
  switch (op.kind) {
    case "read":
      return `read → ${op.outcome === "ok" ? v(op.result) : op.outcome}`;
    case "write":
      return `write ${v(op.value)} → ${op.outcome}`;
    case "cas":
      return `cas ${v(op.expected)}→${v(op.value)} → ${op.outcome}`;
    case "delete":
      return `delete → ${op.outcome}`;
  }
}
