import { expect, test } from "bun:test";
import { computeClusterId, computeMemberId, idFromString, idToString } from "./ids.ts";

test("single member ID and cluster ID match etcd's observed values", () => {
  const id = computeMemberId(["http://127.0.0.1:22380"], "etcd-cluster");
  expect(id).toBe("9e737febb6b99eee");
  expect(computeClusterId([id])).toBe("c8730d66636ff140");
});

test("three member IDs and cluster ID match etcd's observed values", () => {
  const ids = [22382, 22384, 22386].map((p) => computeMemberId([`http://127.0.0.1:${p}`], "spec-tok"));
  expect(ids).toEqual(["e2f4d2d54735ed18", "2c6d6407fbb7943f", "7837c77a66577321"]);
  expect(computeClusterId(ids)).toBe("7f2ab2a4e6477ca4");
  expect(computeClusterId([...ids].reverse())).toBe("7f2ab2a4e6477ca4");
});

test("id strings round-trip without padding and reject garbage", () => {
  expect(idToString(idFromString("02607b3655b6e226"))).toBe("2607b3655b6e226");
  expect(() => idFromString("zzz")).toThrow();
  expect(() => idFromString("12345678901234567")).toThrow();
});
