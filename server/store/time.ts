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
  const base = utcDateTime(wholeS);
  if (fracUs === 0) return base + "Z";
  let frac = String(fracUs).padStart(6, "0");
  let end = frac.length;
  while (frac.charCodeAt(end - 1) === 48) end--;
  frac = frac.slice(0, end);
  return `${base}.${frac}Z`;
}

const pad2 = (n: number) => (n < 10 ? "0" : "") + n;

/**
 * `YYYY-MM-DDTHH:MM:SS` in UTC for whole seconds since the epoch, by calendar arithmetic (the
 * proleptic Gregorian days-to-civil conversion) so the store touches no Date at all. Expirations
 * are normalized to years 2000 through about 2255 (2^53 microseconds), all four digits.
 */
function utcDateTime(wholeS: number): string {
  const secOfDay = ((wholeS % 86_400) + 86_400) % 86_400;
  const days = (wholeS - secOfDay) / 86_400;
  // Days since 0000-03-01 in 400-year eras of 146,097 days; March-based years put Feb 29 last.
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const h = Math.floor(secOfDay / 3600);
  const m = Math.floor((secOfDay % 3600) / 60);
  return `${String(year).padStart(4, "0")}-${pad2(month)}-${pad2(day)}T${pad2(h)}:${pad2(m)}:${pad2(secOfDay % 60)}`;
}

/** ceil((expiration - now) / 1 s); 0 when already due, which callers omit. */
export function ttlSeconds(expireAtUs: TimeUs, nowUs: TimeUs): number {
  const leftUs = expireAtUs - nowUs;
  if (leftUs <= 0) return 0;
  const rem = leftUs % US_PER_S;
  const whole = (leftUs - rem) / US_PER_S;
  return rem > 0 ? whole + 1 : whole;
}
