// Member and cluster IDs derived as etcd derives them, so the same flags on every member agree
// without talking (spec operations.md section 9).
import { createHash } from "node:crypto";

/** uint64 → etcd's string form: lower-case hex, no padding. */
export function idToString(id: bigint): string {
  return id.toString(16);
}

export function idFromString(s: string): bigint {
  if (!/^[0-9a-fA-F]{1,16}$/.test(s)) throw new Error(`invalid member id ${JSON.stringify(s)}`);
  return BigInt("0x" + s);
}

function first8BytesBE(digest: Buffer): bigint {
  return digest.readBigUInt64BE(0);
}

/** SHA1(sorted peer URLs joined with "" + salt); salt is the cluster token, or the add time in unix seconds. */
export function computeMemberId(peerURLs: readonly string[], salt: string): string {
  const joined = [...peerURLs].sort().join("") + salt;
  return idToString(first8BytesBE(createHash("sha1").update(joined).digest()));
}

/** SHA1 over the member IDs as 8-byte big-endian words, sorted ascending. */
export function computeClusterId(memberIds: readonly string[]): string {
  const ids = memberIds.map(idFromString).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const buf = Buffer.alloc(8 * ids.length);
  ids.forEach((id, i) => buf.writeBigUInt64BE(id, i * 8));
  return idToString(first8BytesBE(createHash("sha1").update(buf).digest()));
}

/** Orders members as etcd lists them: by numeric member ID, ascending. */
export function byMemberId(a: { id: string }, b: { id: string }): number {
  const x = idFromString(a.id);
  const y = idFromString(b.id);
  return x < y ? -1 : x > y ? 1 : 0;
}
