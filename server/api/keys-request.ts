// A /v2/keys request's parameters → a typed request, validated in etcd's order (spec keys-api.md
// 11.3) with its exact codes and causes. Pure: the caller supplies the parameters and the clock.
import { parseGoBool, parseGoUint } from "../config/go-values.ts";
import { ErrorCode, EtcdError, type TimeUs } from "../store/types.ts";

export interface KeysRequest {
  method: string;
  recursive: boolean;
  sorted: boolean;
  wait: boolean;
  dir: boolean;
  quorum: boolean;
  stream: boolean;
  noValueOnSuccess: boolean;
  value: string;
  prevValue: string | undefined;
  prevIndex: number;
  waitIndex: number;
  /** Seconds; null = no TTL (absent or empty). */
  ttl: number | null;
  prevExist: boolean | undefined;
  refresh: boolean;
}

function uintParam(params: Map<string, string>, name: string, code: number): number {
  const text = params.get(name);
  if (text === undefined) return 0;
  const v = parseGoUint(text);
  if (v === null) throw new EtcdError(code, `invalid value for "${name}"`);
  return v;
}

function boolParam(params: Map<string, string>, name: string, cause?: string): boolean | undefined {
  const text = params.get(name);
  if (text === undefined) return undefined;
  const v = parseGoBool(text);
  // The default cause is built only here: a default parameter would build it on every call.
  if (v === null) throw new EtcdError(ErrorCode.InvalidField, cause ?? `invalid value for "${name}"`);
  return v;
}

export function parseKeysRequest(method: string, params: Map<string, string>): KeysRequest {
  const prevIndex = uintParam(params, "prevIndex", ErrorCode.IndexNaN);
  const waitIndex = uintParam(params, "waitIndex", ErrorCode.IndexNaN);
  const recursive = boolParam(params, "recursive") ?? false;
  const sorted = boolParam(params, "sorted") ?? false;
  const wait = boolParam(params, "wait") ?? false;
  const dir = boolParam(params, "dir") ?? false;
  const quorum = boolParam(params, "quorum") ?? false;
  const stream = boolParam(params, "stream") ?? false;
  if (wait && method !== "GET") throw new EtcdError(ErrorCode.InvalidField, '"wait" can only be used with GET requests');
  const prevValue = params.get("prevValue");
  if (prevValue === "") throw new EtcdError(ErrorCode.PrevValueRequired, '"prevValue" cannot be empty');
  const noValueOnSuccess = boolParam(params, "noValueOnSuccess") ?? false;
  const ttlText = params.get("ttl");
  const ttl = ttlText ? uintParam(params, "ttl", ErrorCode.TTLNaN) : null;
  const prevExist = boolParam(params, "prevExist", "invalid value for prevExist");
  const refresh = boolParam(params, "refresh", "invalid value for refresh") ?? false;
  const value = params.get("value") ?? "";
  if (refresh) {
    if (value !== "") throw new EtcdError(ErrorCode.RefreshValue, "A value was provided on a refresh");
    if (ttl === null) throw new EtcdError(ErrorCode.RefreshTTLRequired, "No TTL value set");
  }
  return { method, recursive, sorted, wait, dir, quorum, stream, noValueOnSuccess, value, prevValue, prevIndex, waitIndex, ttl, prevExist, refresh };
}

/**
 * The absolute expiration proposed for a TTL, fixed here so every member applies the same bytes.
 * A TTL too large to represent makes the key permanent, which is what etcd's overflowing
 * nanosecond arithmetic ends up doing (spec keys-api.md 10).
 */
export function expireAtUs(ttl: number | null, nowUs: TimeUs): TimeUs | null {
  if (ttl === null) return null;
  const at = nowUs + ttl * 1_000_000;
  return Number.isSafeInteger(at) ? at : null;
}
