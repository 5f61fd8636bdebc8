// The contract of the v2 store: the serializable request that travels through the Raft log,
// the typed error carrying etcd's code, and the interface the member and API use.
import type { EventJSON, NodeJSON, StoreStatsJSON } from "../../shared/v2.ts";

/**
 * Time inside the store is an integer count of microseconds since the Unix epoch. It only ever
 * enters as an argument (a request field or a `nowUs` parameter); the store never reads a clock.
 */
export type TimeUs = number;

/**
 * One mutation, exactly as it is put in the Raft log (JSON-serializable, no bigint, no Date).
 * The receiving member resolves `ttl` to an absolute `expireAtUs` before proposing, so every
 * member applies the same bytes. Dispatch (which store operation runs) follows etcd's
 * apply_v2: see spec keys-api.md section 4.
 */
export type V2Request =
  | {
      method: "PUT";
      path: string;
      value: string;
      dir: boolean;
      /** undefined: no condition; true/false: must / must not exist. */
      prevExist?: boolean;
      prevValue?: string;
      /** 0 or undefined: no condition. */
      prevIndex?: number;
      /** null: permanent. */
      expireAtUs: TimeUs | null;
      refresh: boolean;
      /** The time the request was accepted, used for the `ttl` shown in the reply. */
      nowUs: TimeUs;
    }
  | {
      method: "POST";
      path: string;
      value: string;
      dir: boolean;
      expireAtUs: TimeUs | null;
      nowUs: TimeUs;
    }
  | {
      method: "DELETE";
      path: string;
      dir: boolean;
      recursive: boolean;
      prevValue?: string;
      prevIndex?: number;
      nowUs: TimeUs;
    }
  /** A quorum GET goes through the log in etcd v2; kept for that path. */
  | { method: "QGET"; path: string; recursive: boolean; sorted: boolean; nowUs: TimeUs; keyPrefix?: string }
  /** The leader's periodic clock: expires every node whose expiration <= timeUs. */
  | { method: "SYNC"; timeUs: TimeUs };

/** The outcome of an applied mutation: its event plus the store index after it. */
export interface ApplyResult {
  event: EventJSON;
  /** Store index right after the operation (X-Etcd-Index). */
  index: number;
  /**
   * SYNC only: every expire event it caused, in order (possibly none). For a SYNC, `event` is
   * the last of them, or a bare `{action:"expire"}` without a node when nothing expired.
   */
  expired?: EventJSON[];
}

export const ErrorCode = {
  KeyNotFound: 100,
  TestFailed: 101,
  NotFile: 102,
  NotDir: 104,
  NodeExist: 105,
  RootROnly: 107,
  DirNotEmpty: 108,
  Unauthorized: 110,
  PrevValueRequired: 201,
  TTLNaN: 202,
  IndexNaN: 203,
  InvalidField: 209,
  InvalidForm: 210,
  RefreshValue: 211,
  RefreshTTLRequired: 212,
  RaftInternal: 300,
  LeaderElect: 301,
  WatcherCleared: 400,
  EventIndexCleared: 401,
} as const;

export const errorMessages: Record<number, string> = {
  100: "Key not found",
  101: "Compare failed",
  102: "Not a file",
  103: "Reached the max number of peers in the cluster",
  104: "Not a directory",
  105: "Key already exists",
  106: "The prefix of given key is a keyword in etcd",
  107: "Root is read only",
  108: "Directory not empty",
  109: "Peer address has existed",
  110: "The request requires user authentication",
  200: "Value is Required in POST form",
  201: "PrevValue is Required in POST form",
  202: "The given TTL in POST form is not a number",
  203: "The given index in POST form is not a number",
  204: "Value or TTL is required in POST form",
  205: "The given timeout in POST form is not a number",
  206: "Name is required in POST form",
  207: "Index or value is required",
  208: "Index and value cannot both be specified",
  209: "Invalid field",
  210: "Invalid POST form",
  211: "Value provided on refresh",
  212: "A TTL must be provided on refresh",
  300: "Raft Internal Error",
  301: "During Leader Election",
  400: "watcher is cleared due to etcd recovery",
  401: "The event in requested index is outdated and cleared",
  402: "Standby Internal Error",
  403: "Invalid active size",
  404: "Standby remove delay",
  500: "Client Internal Error",
};

/** An etcd v2 error: the one error type every layer throws for client-visible failures. */
export class EtcdError extends Error {
  readonly errorCode: number;
  readonly cause_: string;
  index: number;
  constructor(errorCode: number, cause = "", index = 0) {
    super(errorMessages[errorCode] ?? "Unknown error");
    this.errorCode = errorCode;
    this.cause_ = cause;
    this.index = index;
  }
  /** HTTP status as etcd maps it (spec keys-api.md 11.1). */
  get status(): number {
    switch (this.errorCode) {
      case 100:
        return 404;
      case 101:
      case 105:
        return 412;
      case 102:
      case 108:
        return 403;
      case 110:
        return 401;
      case 300:
      case 301:
        return 500;
      default:
        return 400;
    }
  }
  toJSON(): { errorCode: number; message: string; cause?: string; index: number } {
    return this.cause_
      ? { errorCode: this.errorCode, message: this.message, cause: this.cause_, index: this.index }
      : { errorCode: this.errorCode, message: this.message, index: this.index };
  }
}

/** A registered watch. Events are buffered (bounded); a watcher that falls behind is dropped. */
export interface Watcher {
  /** Store index when the watch was registered (X-Etcd-Index of a watch response). */
  readonly startIndex: number;
  /** Resolves with the next matching event, or null once the watcher is closed or dropped. */
  next(): Promise<EventJSON | null>;
  /** Unregister; pending next() resolves null. Safe to call twice. */
  remove(): void;
}

export interface WatchOptions {
  recursive: boolean;
  /** true: keep delivering events; false: one event, then the watcher closes itself. */
  stream: boolean;
  /** First index to deliver (inclusive); 0 = only events after the current index. */
  sinceIndex: number;
}

export interface GetOptions {
  recursive: boolean;
  sorted: boolean;
  nowUs: TimeUs;
  /**
   * Optional: leave this prefix off every key in the result (a key equal to it is shown as the
   * root, without `key`), so the API can serve a namespace without copying the listing.
   */
  keyPrefix?: string;
}

/** A store snapshot being written: `bytes` is complete once `fill` has returned true. */
export interface SnapshotEncoding {
  readonly bytes: Uint8Array;
  /** Copies whole large values until at least `budgetBytes` more are in (or all are); true when done. */
  fill(budgetBytes: number): boolean;
}

export interface V2Store {
  /** Current store index (etcd index). */
  readonly index: number;
  /** Apply one logged request. Throws EtcdError (with index = current index) and changes nothing on failure. */
  apply(req: V2Request): ApplyResult;
  /** A local read. `nowUs` is only used to compute displayed `ttl` fields. */
  get(path: string, opts: GetOptions): ApplyResult;
  /** Throws EtcdError 401 when sinceIndex fell out of the 1000-event history. */
  watch(path: string, opts: WatchOptions): Watcher;
  /** Earliest expiration among TTL nodes, or null when none (lets the leader skip SYNCs). */
  nextExpiryUs(): TimeUs | null;
  stats(): StoreStatsJSON;
  /** Serialize the whole store (tree, TTL set, event history, index, stats) for a snapshot. */
  save(): Uint8Array;
  /**
   * save() in steps, for a caller that must keep its event loop turning (a 100 MB store takes
   * 0.4-2.5 s to copy into fresh memory on a small VM). The call fixes what the snapshot holds
   * (cost: the number of keys); later writes do not change it. `fill` copies the large values in.
   */
  saveInSteps(): SnapshotEncoding;
  /** Replace the whole state from `save()` output; open watchers are closed. */
  recover(data: Uint8Array): void;
  /** Count of registered watchers and the keys they watch (for stats and the dashboard). */
  watchedKeys(): { key: string; recursive: boolean; count: number }[];
}

export type { EventJSON, NodeJSON, StoreStatsJSON };
