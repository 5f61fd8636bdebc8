// /v2/members: list, leader, add, update, remove through the Member interface, with etcd's
// JSON errors and status codes (spec cluster-api.md section 3).
import { checkURL } from "../config/urls.ts";
import type { Member } from "../member/types.ts";
import { goJsonSyntaxError } from "./go-json-error.ts";
import { jsonResponse, membershipErrorResponse, messageError, methodNotAllowed, plainError } from "./http.ts";

export const MEMBERS_PREFIX = "/v2/members";
const ALLOW = "GET,POST,DELETE,PUT";

class BadRequest extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** `{"peerURLs":[...]}` from an application/json body, validated like etcd's types.NewURLs. */
async function readPeerURLs(request: Request): Promise<string[]> {
  const ct = request.headers.get("content-type") ?? "";
  const mediaType = ct.split(";")[0]!.trim().toLowerCase();
  if (mediaType !== "application/json") throw new BadRequest(415, `Bad Content-Type ${ct}, accept application/json`);
  const text = await request.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (e) {
    throw new BadRequest(400, goJsonSyntaxError(text) ?? (e as Error).message);
  }
  const urls = (body as { peerURLs?: unknown } | null)?.peerURLs ?? [];
  if (!Array.isArray(urls) || urls.some((u) => typeof u !== "string")) {
    throw new BadRequest(400, "json: cannot unmarshal peerURLs into []string");
  }
  if (urls.length === 0) throw new BadRequest(400, "no valid URLs given");
  try {
    return [...new Set((urls as string[]).map(checkURL))].sort();
  } catch (e) {
    throw new BadRequest(400, (e as Error).message);
  }
}

/** Member IDs are hex uint64; anything else cannot name a member. */
function parseId(text: string): string | null {
  return /^[0-9a-fA-F]{1,16}$/.test(text) ? BigInt("0x" + text).toString(16) : null;
}

export async function handleMembers(request: Request, path: string, member: Member): Promise<Response> {
  const method = request.method;
  if (method !== "GET" && method !== "POST" && method !== "DELETE" && method !== "PUT") return methodNotAllowed(ALLOW);
  const headers = { "X-Etcd-Cluster-Id": member.clusterId };
  const rest = path.slice(MEMBERS_PREFIX.length).replace(/^\//, "");
  try {
    switch (method) {
      case "GET":
        if (rest === "") return jsonResponse({ members: member.members() }, { newline: true, headers });
        if (rest === "leader") {
          const leader = member.leader();
          if (leader === null) return messageError(503, "During election", headers);
          return jsonResponse(leader, { newline: true, headers });
        }
        return messageError(404, "Not found", headers);
      case "POST": {
        const added = await member.addMember(await readPeerURLs(request));
        return jsonResponse(added, { status: 201, newline: true, headers });
      }
      default: {
        // etcd answers this 405 from inside the members handler: cluster ID, no Allow header.
        if (rest === "") return plainError(405, "Method Not Allowed", headers);
        const id = parseId(rest);
        if (id === null) return messageError(404, `No such member: ${rest}`, headers);
        if (method === "DELETE") await member.removeMember(id);
        else await member.updateMember(id, await readPeerURLs(request));
        return new Response(null, { status: 204, headers });
      }
    }
  } catch (e) {
    if (e instanceof BadRequest) return messageError(e.status, e.message, headers);
    return membershipErrorResponse(e, member.clusterId);
  }
}
