export function formatRate(perSec: number): string {
  if (perSec >= 1000) return `${(perSec / 1000).toFixed(1)}k/s`;
  if (perSec >= 10) return `${Math.round(perSec)}/s`;
  return `${perSec.toFixed(1)}/s`;
}

export function formatClock(atMs: number): string {
  return new Date(atMs).toLocaleTimeString([], { hour12: false });
}

export function shortId(id: string): string {
  return id.length > 8 ? `${id.slice(0, 8)}…` : id;
}

/** Whole seconds until an RFC 3339 expiration, never negative. */
export function secondsUntil(expiration: string, nowMs: number): number {
  return Math.max(0, Math.ceil((Date.parse(expiration) - nowMs) / 1000));
}
