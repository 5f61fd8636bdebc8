// Shapes shared by the keys benchmark's runner, load workers and report.

/** qget: a GET with ?quorum=true, which etcd serves through Raft like a write. */
export type Op = "put" | "get" | "qget";

/** One row of a scenario: an operation at a number of concurrent clients. */
export interface Case {
  op: Op;
  clients: number;
}

export interface WorkerSpec {
  urls: string[];
  op: Op;
  clients: number;
  /** Client numbers of this worker start here, so workers touch different keys. */
  clientOffset: number;
  keys: number;
  valueBytes: number;
  /** Wall-clock ms: requests before this are warm-up and not counted. */
  measureFromMs: number;
  endAtMs: number;
}

export interface LoadResult {
  ok: number;
  errors: number;
  windowMs: number;
  latenciesUs: number[];
}

export interface Measurement {
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

/** A system under test: one or more client URLs plus how to stop it. */
export interface Deployment {
  clientURLs: string[];
  stop(): Promise<void>;
}

export interface Scenario {
  /** Row label, e.g. "1 member". */
  name: string;
  /** What `--only` selects it by, e.g. "1-member". */
  id: string;
  cases: Case[];
  start(kind: "etcd" | "etcbun"): Promise<Deployment>;
}
