// Listens on every --listen-client-urls address with Bun.serve and answers with the client API.
import type { Config } from "../config/config.ts";
import { listenAddress } from "../config/urls.ts";
import type { Member } from "../member/types.ts";
import { type AppOptions, createApp } from "./app.ts";

export interface ClientServer {
  /** The URLs actually bound (ports resolved when 0 was asked). */
  urls: string[];
  /** Requests received so far on every listener (an activity signal for idle work). */
  requestCount(): number;
  stop(): Promise<void>;
}

function tlsOptions(config: Config) {
  const t = config.clientTls;
  if (!t.certFile || !t.keyFile) throw new Error("https listen URLs need --cert-file and --key-file");
  return {
    cert: Bun.file(t.certFile),
    key: Bun.file(t.keyFile),
    ca: t.trustedCaFile ? Bun.file(t.trustedCaFile) : undefined,
    requestCert: t.clientCertAuth,
    rejectUnauthorized: t.clientCertAuth,
  };
}

/**
 * Elysia finds the path by searching for "/" from offset 11, which skips into the path when the
 * Host is shorter than 4 characters (`Host: x` routed `/v2/keys/h` as `/keys/h`). Such requests
 * get a longer placeholder authority; handlers never read the host from the URL.
 */
export function withRoutableURL(request: Request): Request {
  const url = request.url;
  const start = url.indexOf("//") + 2;
  const slash = url.indexOf("/", start);
  if (slash < 0 || slash >= 11) return request;
  return new Request(url.slice(0, start) + "short-host.invalid" + url.slice(slash), request);
}

export interface ServeOptions extends AppOptions {
  /** Called on every request received, before it is handled (see idle-poll.ts). */
  onRequest?: () => void;
}

export function serve(config: Config, member: Member, opts: ServeOptions = {}): ClientServer {
  const { onRequest, ...appOptions } = opts;
  const app = createApp(member, { corsOrigins: config.corsOrigins, ...appOptions });
  // Connections are accepted at once but held until the member is ready, as etcd does.
  let isReady = member.ready === undefined;
  const readyFirst = (member.ready?.() ?? Promise.resolve()).then(() => {
    isReady = true;
  });
  let received = 0;
  const servers = config.listenClientURLs.map((url) => {
    const addr = listenAddress(url);
    return Bun.serve({
      hostname: addr.hostname,
      port: addr.port,
      fetch: (request) => {
        received++;
        onRequest?.();
        return isReady ? app.handle(withRoutableURL(request)) : readyFirst.then(() => app.handle(withRoutableURL(request)));
      },
      // Watches are long polls that may idle for hours; etcd has no server-side timeout either.
      idleTimeout: 0,
      // Above the 10 MiB form limit so the API answers etcd's 210 error instead of Bun's 413.
      maxRequestBodySize: 64 << 20,
      tls: addr.scheme === "https" ? tlsOptions(config) : undefined,
    });
  });
  return {
    urls: servers.map((s) => s.url.toString().replace(/\/$/, "")),
    requestCount: () => received,
    async stop() {
      await Promise.all(servers.map((s) => s.stop(true)));
    },
  };
}
