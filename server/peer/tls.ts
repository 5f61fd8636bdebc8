// Peer TLS options (operations.md §2): the same cert, key and CA serve the peer listener and
// the connections we dial to other members.
import { readFileSync } from "node:fs";
import type { PeerTlsOptions } from "./types.ts";

function read(path: string | undefined): string | undefined {
  // Read once at start-up: a missing file is a configuration error worth failing loudly on.
  return path ? readFileSync(path, "utf8") : undefined;
}

export function peerServerTls(tls: PeerTlsOptions | undefined): Bun.TLSOptions {
  if (!tls?.certFile || !tls.keyFile) throw new Error("an https peer URL needs the peer cert and key files");
  const requireClientCert = tls.clientCertAuth === true;
  if (requireClientCert && !tls.caFile) throw new Error("peer client cert auth needs the peer trusted CA file");
  return {
    cert: read(tls.certFile),
    key: read(tls.keyFile),
    ca: read(tls.caFile),
    requestCert: requireClientCert,
    rejectUnauthorized: requireClientCert,
  };
}

/** Options for dialing peers; undefined when no TLS material was configured (plain http peers). */
export function peerClientTls(tls: PeerTlsOptions | undefined): Bun.TLSOptions | undefined {
  if (!tls || (!tls.certFile && !tls.caFile)) return undefined;
  return { cert: read(tls.certFile), key: read(tls.keyFile), ca: read(tls.caFile) };
}
