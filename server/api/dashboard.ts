// Serves the dashboard at /dashboard (page, script, stylesheet) and its live feed. The assets are
// bundled by a macro, so the compiled executable carries them and needs no files on disk.
import { Elysia } from "elysia";
import { bundleDashboard } from "../../dashboard/bundle.ts" with { type: "macro" };
import { DASHBOARD_PATH, dashboardHtml } from "../../dashboard/page.ts";
import { FEED_PATH } from "../../shared/feed.ts";
import type { Member } from "../member/types.ts";
import { feedResponse, startFeedHub } from "./feed.ts";

export { DASHBOARD_PATH };

export interface DashboardOptions {
  /** The member whose live feed is served; without it the page loads but shows no cluster. */
  member?: Member;
  /** Feed sampling interval (tests use a short one). */
  feedIntervalMs?: number;
}

interface Asset {
  type: string;
  body: Uint8Array<ArrayBuffer>;
  gzip: Uint8Array<ArrayBuffer>;
  etag: string;
}

function asset(type: string, text: string): Asset {
  const body = new TextEncoder().encode(text);
  return { type, body, gzip: Bun.gzipSync(body), etag: `"${Bun.hash(body).toString(16)}"` };
}

let assets: Record<string, Asset> | null = null;

/** Built on first use so that importing the API does not pay for compressing the bundle. */
function dashboardAssets(): Record<string, Asset> {
  if (assets) return assets;
  const bundle = bundleDashboard();
  const js = asset("text/javascript; charset=utf-8", bundle.js);
  const css = asset("text/css; charset=utf-8", bundle.css);
  const version = Bun.hash(bundle.js + bundle.css).toString(16);
  assets = {
    [DASHBOARD_PATH]: asset("text/html; charset=utf-8", dashboardHtml(version)),
    [`${DASHBOARD_PATH}/app.js`]: js,
    [`${DASHBOARD_PATH}/app.css`]: css,
  };
  return assets;
}

/** Gzipped size of everything the page downloads, in bytes (reported by the build). */
export function dashboardGzipBytes(): number {
  return Object.values(dashboardAssets()).reduce((sum, a) => sum + a.gzip.length, 0);
}

function serveAsset(path: string, request: Request): Response {
  const a = dashboardAssets()[path]!;
  const headers: Record<string, string> = {
    "Content-Type": a.type,
    ETag: a.etag,
    "Cache-Control": "no-cache",
    Vary: "Accept-Encoding",
  };
  if (request.headers.get("If-None-Match") === a.etag) return new Response(null, { status: 304, headers });
  if (/\bgzip\b/.test(request.headers.get("Accept-Encoding") ?? "")) {
    return new Response(a.gzip, { headers: { ...headers, "Content-Encoding": "gzip" } });
  }
  return new Response(a.body, { headers });
}

/**
 * True when a request to "/" comes from a browser that wants a page rather than an API answer,
 * so the API can redirect it to DASHBOARD_PATH.
 */
export function prefersDashboard(request: Request): boolean {
  return request.method === "GET" && (request.headers.get("Accept") ?? "").includes("text/html");
}

export function dashboardRoutes(opts: DashboardOptions = {}) {
  const app = new Elysia()
    .get(DASHBOARD_PATH, ({ request }) => serveAsset(DASHBOARD_PATH, request))
    .get(`${DASHBOARD_PATH}/`, () => new Response(null, { status: 301, headers: { Location: DASHBOARD_PATH } }))
    .get(`${DASHBOARD_PATH}/app.js`, ({ request }) => serveAsset(`${DASHBOARD_PATH}/app.js`, request))
    .get(`${DASHBOARD_PATH}/app.css`, ({ request }) => serveAsset(`${DASHBOARD_PATH}/app.css`, request));
  const { member } = opts;
  if (!member) return app;
  const feedOpts = { intervalMs: opts.feedIntervalMs };
  startFeedHub(member, feedOpts);
  return app.get(FEED_PATH, ({ request }) => feedResponse(member, request, feedOpts));
}
