// Bounded client-side histories for charts and logs.
export function appendBounded<T>(list: readonly T[], items: readonly T[], max: number): T[] {
  const next = list.concat(items);
  return next.length > max ? next.slice(next.length - max) : next;
}
