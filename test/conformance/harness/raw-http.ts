// A minimal HTTP/1.1 client over a plain socket, for requests fetch would rewrite: paths with
// `/./` or `/../` (the URL parser cleans them) and methods fetch refuses.
import { connect } from "node:net";

export interface RawResponse {
  status: number;
  headers: Headers;
  body: string;
}

function decodeChunked(buf: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = buf.indexOf("\r\n", at);
    if (eol < 0) break;
    const size = parseInt(buf.subarray(at, eol).toString("latin1"), 16);
    if (!size) break;
    parts.push(buf.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

function parse(raw: Buffer, isHead: boolean): RawResponse {
  const split = raw.indexOf("\r\n\r\n");
  if (split < 0) throw new Error(`incomplete HTTP response: ${raw.toString("latin1").slice(0, 200)}`);
  const lines = raw.subarray(0, split).toString("latin1").split("\r\n");
  const status = Number(lines[0]!.split(" ")[1]);
  const headers = new Headers();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(":");
    headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  let body = raw.subarray(split + 4);
  if (isHead) body = Buffer.alloc(0);
  else if (headers.get("transfer-encoding")?.includes("chunked")) body = decodeChunked(body);
  return { status, headers, body: body.toString("utf8") };
}

export function rawRequest(
  url: string,
  opts: { method: string; path: string; headers?: Record<string, string>; body?: string; timeoutMs?: number },
): Promise<RawResponse> {
  const { hostname, port } = new URL(url);
  const body = Buffer.from(opts.body ?? "", "utf8");
  const head = [`${opts.method} ${opts.path} HTTP/1.1`, "Connection: close"];
  if (!Object.keys(opts.headers ?? {}).some((k) => k.toLowerCase() === "host")) head.push(`Host: ${hostname}:${port}`);
  for (const [k, v] of Object.entries(opts.headers ?? {})) head.push(`${k}: ${v}`);
  if (opts.body !== undefined) head.push(`Content-Length: ${body.length}`);
  const request = Buffer.concat([Buffer.from(head.join("\r\n") + "\r\n\r\n", "latin1"), body]);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const sock = connect(Number(port), hostname, () => sock.write(request));
    sock.setTimeout(opts.timeoutMs ?? 5000, () => sock.destroy(new Error(`raw ${opts.method} ${opts.path}: timeout`)));
    sock.on("data", (c: Buffer | string) => chunks.push(Buffer.from(c)));
    sock.on("error", reject);
    sock.on("close", () => {
      try {
        resolve(parse(Buffer.concat(chunks), opts.method === "HEAD"));
      } catch (err) {
        reject(err);
      }
    });
  });
}
