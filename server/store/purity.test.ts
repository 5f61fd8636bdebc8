import { expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

// The store must replay identically on every member: time only enters through requests.
const FORBIDDEN = [
  /\bDate\.now\b/,
  /\bnew Date\b/,
  /\bperformance\./,
  /\bMath\.random\b/,
  /\bcrypto\./,
  /\bset(Timeout|Interval|Immediate)\b/,
  /\bprocess\.hrtime\b/,
  /\bBun\.(nanoseconds|file|write|sleep)\b/,
  /from "(node:)?(fs|fs\/promises|net|http|child_process)"/,
];

test("store sources use no clock, timer, randomness or I/O", () => {
  const dir = import.meta.dir;
  const sources = readdirSync(dir).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"));
  expect(sources.length).toBeGreaterThan(5);
  const offenders: string[] = [];
  for (const f of sources) {
    const text = readFileSync(join(dir, f), "utf8");
    for (const re of FORBIDDEN) if (re.test(text)) offenders.push(`${f}: ${re}`);
  }
  expect(offenders).toEqual([]);
});
