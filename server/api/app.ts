// The client API as one Elysia app: /v2/keys, members, stats, version, health, metrics and the
// dashboard. Paths are cleaned (301) and CORS applied before routing, like etcd's handler chain.
import { Elysia } from "elysia";
import type { Member } from "../member/types.ts";
import type { TimeUs } from "../store/types.ts";
import { wallUs } from "../member/stats.ts";
import { addCorsHeaders, corsOrigin } from "./cors.ts";
import { dashboardRoutes, DASHBOARD_PATH, prefersDashboard } from "./dashboard.ts";
import { badRequest, notFound } from "./http.ts";
import { handleHealth, handleMachines, handleMetrics, handleStats, handleVersion } from "./info.ts";
import { AnswerHeaders, handleKeys, KEYS_PREFIX, type KeysContext } from "./keys.ts";
import { handleMembers, MEMBERS_PREFIX } from "./members.ts";
import { type RequestTarget, movedPermanently, needsCleaning, requestTarget } from "./paths.ts";

export interface AppOptions {
  /** Allowed CORS origins (etcd 3.4 default ["*"]); empty = no CORS headers. */
  corsOrigins?: string[];
  /** Interval of SSE heartbeat comments on streamed watches. */
  sseHeartbeatMs?: number;
  /** Wall clock for TTLs, injectable for tests. */
  nowUs?: () => TimeUs;
}

function pathOf(request: Request): string {
  return requestTarget(request.url)?.path ?? "/";
}

export function createApp(member: Member, opts: AppOptions = {}) {
  const origins = opts.corsOrigins ?? ["*"];
  const ctx: KeysContext = { member, nowUs: opts.nowUs ?? wallUs, sseHeartbeatMs: opts.sseHeartbeatMs ?? 15_000, answerHeaders: new AnswerHeaders() };
  const withCors = (request: Request, response: Response): Response => {
    const origin = corsOrigin(origins, request);
    if (origin !== null) addCorsHeaders(response.headers, origin);
    return response;
  };
  type Handler = (request: Request) => Response | Promise<Response>;
  // Every route's answer passes through here once, so CORS cannot be forgotten on any path.
  const route =
    (h: Handler) =>
    async ({ request }: { request: Request }): Promise<Response> =>
      withCors(request, await h(request));
  const members = route((request) => handleMembers(request, pathOf(request), member));

  // What etcd's handler chain answers before any route: an undecodable URL, a path that needs
  // cleaning, a CORS preflight, a browser asking for the root.
  const beforeRouting = (request: Request, target: RequestTarget | null): Response | undefined => {
    if (target === null) return badRequest();
    if (needsCleaning(target.path)) return withCors(request, movedPermanently(target, request.method));
    if (request.method === "OPTIONS" && corsOrigin(origins, request) !== null) return withCors(request, new Response(null));
    if (target.path === "/" && prefersDashboard(request)) {
      return new Response(null, { status: 302, headers: { Location: DASHBOARD_PATH } });
    }
    return undefined;
  };

  // Go's mux matches these paths exactly: "/version/" is a 404 there, so it is here too.
  const app = new Elysia({ strictPath: true })
    .onRequest(({ request }) => beforeRouting(request, requestTarget(request.url)))
    .onError(({ code, request }) => (code === "NOT_FOUND" ? withCors(request, notFound()) : undefined))
    .all(MEMBERS_PREFIX, members)
    .all(`${MEMBERS_PREFIX}/*`, members)
    .all("/v2/machines", route((request) => handleMachines(request, member)))
    .all("/v2/stats/self", route((request) => handleStats(request, "self", member)))
    .all("/v2/stats/leader", route((request) => handleStats(request, "leader", member)))
    .all("/v2/stats/store", route((request) => handleStats(request, "store", member)))
    .all("/version", route(handleVersion))
    .all("/health", route((request) => handleHealth(request, member)))
    .all("/metrics", route((request) => handleMetrics(request, member)))
    .use(dashboardRoutes({ member }));

  // The keys API is nearly every request a member serves: it never enters Elysia (no per-request
  // context or hooks), only the same checks onRequest makes; handleKeys adds CORS itself.
  const handle = (request: Request): Response | Promise<Response> => {
    const target = requestTarget(request.url);
    if (target === null || !isKeysPath(target.path)) return app.handle(request);
    return beforeRouting(request, target) ?? handleKeys(request, target, ctx, corsOrigin(origins, request));
  };
  return { handle };
}

function isKeysPath(path: string): boolean {
  return path.startsWith(KEYS_PREFIX) && (path.length === KEYS_PREFIX.length || path.charCodeAt(KEYS_PREFIX.length) === 47 /* / */);
}

export type App = ReturnType<typeof createApp>;
