import { expect, test } from "bun:test";
import fc from "fast-check";
import { cleanBySegments, cleanPath, compareBytewise, isAtOrBelow } from "./path.ts";

test("cleanPath follows Go's path.Clean(\"/\" + p)", () => {
  const cases: [string, string][] = [
    ["", "/"],
    ["/", "/"],
    ["foo", "/foo"],
    ["/foo/", "/foo"],
    ["//foo//bar//", "/foo/bar"],
    ["/foo/./bar", "/foo/bar"],
    ["/foo/../bar", "/bar"],
    ["/../../x", "/x"],
    ["/a/b/..", "/a"],
    ["/a/.", "/a"],
    ["/sp ace/✓", "/sp ace/✓"],
    ["/.hidden/..x", "/.hidden/..x"],
  ];
  for (const [input, want] of cases) expect(cleanPath(input)).toBe(want);
});

// Code points from the ranges where UTF-16 and UTF-8 orders disagree, plus plain ASCII.
const codePoint = fc.oneof(
  fc.integer({ min: 0x20, max: 0x7e }),
  fc.integer({ min: 0xd7f0, max: 0xd7ff }),
  fc.integer({ min: 0xe000, max: 0xffff }),
  fc.integer({ min: 0x10000, max: 0x10ffff }),
);
const text = fc.array(codePoint, { maxLength: 6 }).map((cps) => String.fromCodePoint(...cps));

test("compareBytewise orders like UTF-8 bytes", () => {
  fc.assert(
    fc.property(text, text, (a, b) => {
      const want = Buffer.compare(Buffer.from(a), Buffer.from(b));
      expect(Math.sign(compareBytewise(a, b))).toBe(want);
    }),
    { numRuns: 1000 },
  );
});

test("isAtOrBelow is by whole segments", () => {
  expect(isAtOrBelow("/a/b", "/a")).toBe(true);
  expect(isAtOrBelow("/a", "/a")).toBe(true);
  expect(isAtOrBelow("/ab", "/a")).toBe(false);
  expect(isAtOrBelow("/anything", "/")).toBe(true);
});

test("the clean-path fast check agrees with the rule on every short path over '/', '.' and a letter", () => {
  const alphabet = ["/", ".", "a"];
  let paths = [""];
  for (let len = 1; len <= 7; len++) {
    paths = paths.flatMap((p) => alphabet.map((c) => p + c));
    for (const p of paths) expect(cleanPath(p)).toBe(cleanBySegments(p));
  }
});
