// Serves the dashboard at /dashboard. A plain status page until the Preact dashboard lands.
import { Elysia } from "elysia";

const page = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>etcbun</title></head>
<body style="font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto">
<h1>etcbun</h1><p>The live dashboard is coming. Meanwhile the v2 API answers on this port:
<a href="/v2/keys/?recursive=true">/v2/keys</a>, <a href="/v2/members">/v2/members</a>,
<a href="/v2/stats/self">/v2/stats/self</a>, <a href="/health">/health</a>.</p></body></html>`;

export function dashboardRoutes() {
  return new Elysia({ name: "dashboard" }).get(
    "/dashboard",
    () => new Response(page, { headers: { "Content-Type": "text/html; charset=utf-8" } }),
  );
}
