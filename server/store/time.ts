// How an absolute expiration (microseconds since the epoch) is shown: Go's time.Time JSON form
// and etcd's rounded-up remaining seconds. Pure functions: "now" is always passed in.
import type { TimeUs } from "./types.ts";

const US_PER_S = 1_000_000;

/** etcd treats expirations before 2000-01-01 as "no TTL" (overflowed or zero times). */
export const MIN_EXPIRE_US = 946_684_800 * US_PER_S;

/** Normalize a requested expiration: null, ancient or not exactly representable means permanent. */
export function normalizeExpireUs(expireAtUs: TimeUs | null): TimeUs | null {
  if (expireAtUs === null || !Number.isSafeInteger(expireAtUs) || expireAtUs < MIN_EXPIRE_US) return null;
  return expireAtUs;
}

/** RFC 3339 in UTC with the fraction trimmed of trailing zeros, like Go's time.Time MarshalJSON. */
export function formatExpiration(expireAtUs: TimeUs): string {
  const fracUs = expireAtUs % US_PER_S;
  const wholeS = (expireAtUs - fracUs) / US_PER_S;
  const base = new Date(wholeS * 1000).toISOString().slice(0, 19);
  if (fracUs === 0) return base + "Z";
  let frac = String(fracUs).padStart(6, "0");
  let end = frac.length;
  while (frac.charCodeAt(end - 1) === 48) end--;
  frac = frac.slice(0, end);
  return `${base}.${frac}Z`;
}

/** ceil((expiration - now) / 1 s); 0 when already due, which callers omit. */
export function ttlSeconds(expireAtUs: TimeUs, nowUs: TimeUs): number {
  const leftUs = expireAtUs - nowUs;
  if (leftUs <= 0) return 0;
  const rem = leftUs % US_PER_S;
  const whole = (leftUs - rem) / US_PER_S;
  return rem > 0 ? whole + 1 : whole;
}
