import { expect, test } from "bun:test";
import fc from "fast-check";
import { cleanPath, compareBytewise, isAtOrBelow } from "./path.ts";

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

test("compareBytewise orders like UTF-8 bytes", () => {
  fc.assert(
    fc.property(fc.string({ unit: "binary" }), fc.string({ unit: "binary" }), (a, b) => {
      const want = Buffer.compare(Buffer.from(a), Buffer.from(b));
      expect(Math.sign(compareBytewise(a, b))).toBe(want);
    }),
    { numRuns: 2000 },
  );
});

test("isAtOrBelow is by whole segments", () => {
  expect(isAtOrBelow("/a/b", "/a")).toBe(true);
  expect(isAtOrBelow("/a", "/a")).toBe(true);
  expect(isAtOrBelow("/ab", "/a")).toBe(false);
  expect(isAtOrBelow("/anything", "/")).toBe(true);
});
