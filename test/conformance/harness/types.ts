// Request sequences as data. The same sequence is sent to real etcd and to etcbun; what each
// answers is normalized into an Observation, and the two lists of observations must be equal.
//
// Placeholders in `path`, `form` and `body`:
//   {k}     this sequence's key prefix, e.g. "/v2/keys/seq-cas" (keeps sequences apart)
//   {i+N}   the store index before the sequence plus N (index deltas must match exactly)
//   {I+N}   the same, as a 20-digit in-order key name
//   {peer}, {client}  the server's own peer and client URL

export interface Req {
  method?: string;
  path: string;
  /** Sent as application/x-www-form-urlencoded (a string is sent verbatim). */
  form?: Record<string, string> | string;
  body?: string;
  headers?: Record<string, string>;
  /** Send over a raw socket, byte for byte: for paths fetch would clean (`/./`) and odd methods. */
  raw?: boolean;
}

export interface CompareOptions {
  /** Compare `nodes` in listed order; default: ordered only when the request says sorted=true. */
  ordered?: boolean;
  /** JSON paths (dot separated, `*` = any key or element) whose values vary between servers: only their type is compared. */
  vary?: string[];
  /** A 301 from a path-cleaning mux is followed once; etcbun may clean silently instead (keys-api §2). */
  followRedirect?: boolean;
}

export interface Expect {
  status?: number;
  /** Lines of the body, parsed as JSON, must deep-equal these after normalization. */
  bodyJson?: unknown[];
}

export type Step =
  | ({ do?: "request" } & Req & CompareOptions & { expect?: Expect })
  /**
   * Start a long poll; the next step runs once the server has registered it. `checkFlush`: also
   * record whether the headers had arrived by then (etcd flushes them at registration) and any
   * body bytes sent before the first event (blank lines are otherwise skipped).
   */
  | ({ do: "watch"; id: string; checkFlush?: boolean } & Req & CompareOptions & { expect?: Expect })
  /** Next event of a watch: the whole body, or one line in stream mode. `pendingMs`: assert nothing arrives that long. */
  | ({ do: "await"; id: string; timeoutMs?: number; pendingMs?: number; line?: boolean } & CompareOptions & {
      expect?: Expect;
    })
  | { do: "close"; id: string }
  /** Many writes at once, not compared one by one (all must be 2xx). */
  | { do: "bulk"; count: number; concurrency?: number; req: Req }
  | { do: "sleep"; ms: number };

export interface Sequence {
  name: string;
  /** Key prefix under /v2/keys; defaults to a slug of the name. */
  prefix?: string;
  steps: Step[];
  /** Also compare the absolute store index before the first step (a fresh server's bookkeeping writes). */
  compareBaseIndex?: boolean;
  /**
   * etcd itself misbehaves here (a bug the spec flags): steps are checked only against
   * `expect` on etcbun, not compared with etcd. The text says why.
   */
  etcdBug?: string;
}

export interface Observation {
  step: number;
  what: string;
  status?: number;
  headers?: Record<string, string>;
  /** Parsed JSON (one value, or one per line for streams) or plain text. */
  body?: unknown;
  /** Body ended with "\n" (etcd ends keys bodies with one, stats bodies without). */
  newline?: boolean;
  pending?: boolean;
  /** Watch headers had arrived when the watch was registered. */
  flushed?: boolean;
  /** Body bytes a watch sent before its first event. */
  prelude?: string;
  redirected?: boolean;
  error?: string;
}
