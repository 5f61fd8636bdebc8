// /v2/keys: parse → one V2Request (or a read) → member → one response, like etcd's keysHandler.
import type { Member } from "../member/types.ts";
import { type ApplyResult, ErrorCode, EtcdError, type TimeUs, type V2Request } from "../store/types.ts";
import { addCorsHeaders, corsHeaderRecord } from "./cors.ts";
import { FormError, readParams } from "./form.ts";
import { JSON_TYPE, keysErrorResponse, methodNotAllowed } from "./http.ts";
import { expireAtUs, type KeysRequest, parseKeysRequest } from "./keys-request.ts";
import { chunkedEventBody, eventBodyBytes } from "./listing.ts";
import { type RequestTarget, eventJSON, storeKey } from "./paths.ts";
import { watchResponse, type WatchSettings } from "./watch.ts";

export interface KeysContext extends WatchSettings {
  member: Member;
  nowUs: () => TimeUs;
  answerHeaders: AnswerHeaders;
}

export const KEYS_PREFIX = "/v2/keys";
const ALLOW = "HEAD,GET,PUT,POST,DELETE";

function isCreated(result: ApplyResult): boolean {
  const a = result.event.action;
  return a === "create" || (a === "set" && result.event.prevNode === undefined);
}

const NO_VALUE_ACTIONS = new Set(["set", "compareAndSwap", "create", "update"]);

/**
 * The headers of a keys answer. A Response copies a Headers object for about a third of what it
 * pays to build its headers from names and values (eight of them with etcd's default CORS), but
 * making that Headers object costs more than it saves once. So the last answer's headers are
 * kept as names and values, and become a Headers object when a second answer needs the same:
 * same cluster ID, indexes and CORS origin (reads between two writes all do, while every write's
 * answer has an index of its own). Never changed once made (a Response gets a copy). One per
 * client API.
 */
export class AnswerHeaders {
  private clusterId = "";
  private index = -1;
  private raftIndex = -1;
  private raftTerm = -1;
  private origin: string | null = null;
  private record: Record<string, string> | null = null;
  private headers: Headers | null = null;

  get(clusterId: string, index: number, raftIndex: number, raftTerm: number, origin: string | null): Headers | Record<string, string> {
    if (
      this.record !== null &&
      index === this.index &&
      raftIndex === this.raftIndex &&
      raftTerm === this.raftTerm &&
      origin === this.origin &&
      clusterId === this.clusterId
    ) {
      this.headers ??= new Headers(this.record);
      return this.headers;
    }
    this.clusterId = clusterId;
    this.index = index;
    this.raftIndex = raftIndex;
    this.raftTerm = raftTerm;
    this.origin = origin;
    this.headers = null;
    this.record = answerHeaderRecord(clusterId, index, raftIndex, raftTerm, origin);
    return this.record;
  }
}

function answerHeaderRecord(clusterId: string, index: number, raftIndex: number, raftTerm: number, origin: string | null): Record<string, string> {
  const headers: Record<string, string> = {
    "Content-Type": JSON_TYPE,
    "X-Etcd-Cluster-Id": clusterId,
    "X-Etcd-Index": String(index),
    "X-Raft-Index": String(raftIndex),
    "X-Raft-Term": String(raftTerm),
  };
  if (origin !== null) corsHeaderRecord(headers, origin);
  return headers;
}

function eventResponse(result: ApplyResult, kr: KeysRequest, ctx: KeysContext, origin: string | null): Response | Promise<Response> {
  const m = ctx.member;
  const status = isCreated(result) ? 201 : 200;
  // A listing can be any size: it is made (or, for HEAD, measured) a chunk per turn (listing.ts).
  const listing = result.event.node?.nodes !== undefined;
  if (kr.method === "HEAD") {
    const headers = answerHeaderRecord(m.clusterId, result.index, m.raftIndex(), m.raftTerm(), origin);
    if (listing) {
      return eventBodyBytes(result.event).then((bytes) => {
        headers["Content-Length"] = String(bytes);
        return new Response(null, { status, headers });
      });
    }
    headers["Content-Length"] = String(Buffer.byteLength(eventJSON(result.event) + "\n"));
    return new Response(null, { status, headers });
  }
  const headers = ctx.answerHeaders.get(m.clusterId, result.index, m.raftIndex(), m.raftTerm(), origin);
  return new Response(eventBody(result, kr, listing), { status, headers });
}

function eventBody(result: ApplyResult, kr: KeysRequest, listing: boolean): string | ReadableStream<Uint8Array> {
  if (listing) return chunkedEventBody(result.event);
  return kr.noValueOnSuccess && NO_VALUE_ACTIONS.has(result.event.action)
    ? `{"action":"${result.event.action}"}\n`
    : eventJSON(result.event) + "\n";
}

function toV2Request(kr: KeysRequest, path: string, nowUs: TimeUs): V2Request {
  switch (kr.method) {
    case "PUT":
      return {
        method: "PUT",
        path,
        value: kr.value,
        dir: kr.dir,
        prevExist: kr.prevExist,
        prevValue: kr.prevValue,
        prevIndex: kr.prevIndex,
        expireAtUs: expireAtUs(kr.ttl, nowUs),
        refresh: kr.refresh,
        nowUs,
      };
    case "POST":
      return { method: "POST", path, value: kr.value, dir: kr.dir, expireAtUs: expireAtUs(kr.ttl, nowUs), nowUs };
    default:
      return { method: "DELETE", path, dir: kr.dir, recursive: kr.recursive, prevValue: kr.prevValue, prevIndex: kr.prevIndex, nowUs };
  }
}

async function read(kr: KeysRequest, path: string, ctx: KeysContext): Promise<ApplyResult> {
  if (kr.quorum) await ctx.member.readBarrier();
  return ctx.member.store.get(path, { recursive: kr.recursive, sorted: kr.sorted, nowUs: ctx.nowUs() });
}

/**
 * Answers one keys request; `origin` is the CORS origin to allow (null: no CORS headers), added
 * here so the common answer is built with all its headers at once.
 */
export async function handleKeys(request: Request, target: RequestTarget, ctx: KeysContext, origin: string | null): Promise<Response> {
  const method = request.method;
  if (method !== "GET" && method !== "PUT" && method !== "POST" && method !== "DELETE" && method !== "HEAD") {
    return withOrigin(methodNotAllowed(ALLOW), origin);
  }
  const clusterId = ctx.member.clusterId;
  try {
    let params: Map<string, string>;
    try {
      params = await readParams(request, target.query);
    } catch (e) {
      if (e instanceof FormError) throw new EtcdError(ErrorCode.InvalidForm, e.message);
      throw e;
    }
    const kr = parseKeysRequest(method, params);
    const path = storeKey(target.path.slice(KEYS_PREFIX.length));
    if (kr.wait) return withOrigin(watchResponse(request, { kr, path }, ctx), origin);
    const result =
      method === "GET" || method === "HEAD" ? await read(kr, path, ctx) : await ctx.member.propose(toV2Request(kr, path, ctx.nowUs()));
    return eventResponse(result, kr, ctx, origin);
  } catch (e) {
    return withOrigin(keysErrorResponse(e, clusterId), origin);
  }
}

function withOrigin(response: Response, origin: string | null): Response {
  if (origin !== null) addCorsHeaders(response.headers, origin);
  return response;
}
