// The proposer applies its own request object instead of decoding its entry only when every other
// member, which decodes, must end up with an identical request.
import { expect, test } from "bun:test";
import { decodeRequestEntry, encodeRequestEntry, requestEntryId, roundTripsExactly } from "../../server/member/entry.ts";
import type { V2Request } from "../../server/store/types.ts";

const put = (over: Record<string, unknown>): V2Request =>
  ({ method: "PUT", path: "/a", value: "v", dir: false, expireAtUs: null, refresh: false, nowUs: 5, ...over }) as V2Request;

test("requestEntryId reads the ID that encodeRequestEntry wrote, and nothing else", () => {
  expect(requestEntryId(encodeRequestEntry("m1.x9", put({})))).toBe("m1.x9");
  expect(requestEntryId(encodeRequestEntry('q"uote', put({})))).toBeNull(); // escaped: decode instead
  expect(requestEntryId(new TextEncoder().encode('{"req":{},"id":"a"}'))).toBeNull();
  expect(requestEntryId(new TextEncoder().encode('{"id":"unterminated'))).toBeNull();
  expect(requestEntryId(new Uint8Array(0))).toBeNull();
  expect(requestEntryId(encodeRequestEntry("é", put({})))).toBeNull(); // not ASCII: decode instead
});

test("roundTripsExactly holds exactly when decoding the encoding gives the same request back", () => {
  const cases = [
    put({}),
    put({ prevExist: true, prevIndex: 3, prevValue: "\ud800 lone surrogate", expireAtUs: 1e30 }),
    put({ prevExist: undefined }),
    put({ expireAtUs: Number.NaN }),
    put({ expireAtUs: Number.POSITIVE_INFINITY }),
    put({ prevIndex: -0 }),
    put({ value: { nested: 1 } }),
    { method: "SYNC", timeUs: 12 } as V2Request,
  ];
  const verdicts = cases.map((req) => roundTripsExactly(req));
  expect(verdicts).toEqual([true, true, true, false, false, false, false, true]);
  for (const [i, req] of cases.entries()) {
    if (!verdicts[i]) continue;
    const back = decodeRequestEntry(encodeRequestEntry("id", req)).req as unknown as Record<string, unknown>;
    for (const [k, v] of Object.entries(req)) expect(Object.is(back[k], v)).toBe(true);
  }
});
