// Go's strconv spellings, shared by flag parsing and the HTTP API so both accept exactly what
// etcd accepts.

const TRUE = new Set(["1", "t", "T", "TRUE", "true", "True"]);
const FALSE = new Set(["0", "f", "F", "FALSE", "false", "False"]);

/** strconv.ParseBool; null when the text is not one of its twelve spellings (including ""). */
export function parseGoBool(text: string): boolean | null {
  if (TRUE.has(text)) return true;
  if (FALSE.has(text)) return false;
  return null;
}

const UINT64_MAX = 18446744073709551615n;

/**
 * strconv.ParseUint(text, 10, 64); null when not a base-10 uint64. Values above 2^53 come back
 * as an inexact number (callers compare or clamp, they never do exact arithmetic that high).
 */
export function parseGoUint(text: string): number | null {
  if (text.length === 0 || text.length > 20) return null;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return null;
  }
  if (text.length === 20 && BigInt(text) > UINT64_MAX) return null;
  return Number(text);
}
