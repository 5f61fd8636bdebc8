// The strict reconfig rules against the cases etcd 3.4 was seen to answer on the v2 API (a, b, c
// on loopback; "500" = refused, "201"/"204" = went ahead).
import { describe, expect, test } from "bun:test";
import { addRefusal, HEALTH_INTERVAL_MS, NOT_ENOUGH_STARTED, type ReconfigView, removeRefusal, UNHEALTHY } from "./reconfig-check.ts";

const NOW_MS = 1_000_000;
const LONG_AGO_MS = NOW_MS - HEALTH_INTERVAL_MS - 1;

/** Self is "a"; `peers` maps each other voter to when its stream came up (null = down). */
function view(peers: Record<string, number | null>, opts: { unstarted?: string[] } = {}): ReconfigView {
  const ids = ["a", ...Object.keys(peers)];
  return {
    selfId: "a",
    voters: ids.map((id) => ({ id, started: !(opts.unstarted ?? []).includes(id) })),
    activeSinceMs: (id) => peers[id] ?? null,
    nowMs: NOW_MS,
  };
}

describe("add", () => {
  test("a healthy cluster connected for longer than the health interval may grow", () => {
    expect(addRefusal(view({ b: LONG_AGO_MS, c: LONG_AGO_MS }))).toBeNull();
  });

  test("one peer down: unhealthy (etcd 500 at once, while the other two are fine)", () => {
    expect(addRefusal(view({ b: LONG_AGO_MS, c: null }))).toBe(UNHEALTHY);
  });

  test("a peer back for less than the health interval still counts as not connected", () => {
    expect(addRefusal(view({ b: LONG_AGO_MS, c: NOW_MS - 1000 }))).toBe(UNHEALTHY);
    // etcd's isConnectedSince needs the stream up strictly before now - HealthInterval.
    expect(addRefusal(view({ b: LONG_AGO_MS, c: NOW_MS - HEALTH_INTERVAL_MS }))).toBe(UNHEALTHY);
    expect(addRefusal(view({ b: LONG_AGO_MS, c: NOW_MS - HEALTH_INTERVAL_MS - 1 }))).toBeNull();
  });

  test("a one-member cluster may add a second member (restoring from a backup), not a third while it is unstarted", () => {
    expect(addRefusal(view({}))).toBeNull();
    expect(addRefusal(view({ b: null }, { unstarted: ["b"] }))).toBe(NOT_ENOUGH_STARTED);
  });

  test("the started rule is checked first", () => {
    // 4 voters, 2 started: 5 after the add need 3 started.
    expect(addRefusal(view({ b: null, c: null, d: null }, { unstarted: ["c", "d"] }))).toBe(NOT_ENOUGH_STARTED);
  });
});

describe("remove", () => {
  test("removing a peer that is down is always allowed (it is not in the working quorum)", () => {
    expect(removeRefusal(view({ b: LONG_AGO_MS, c: null }), "c")).toBeNull();
  });

  test("one peer down: removing a connected peer or this member would leave no connected quorum", () => {
    expect(removeRefusal(view({ b: LONG_AGO_MS, c: null }), "b")).toBe(UNHEALTHY);
    expect(removeRefusal(view({ b: LONG_AGO_MS, c: null }), "a")).toBe(UNHEALTHY);
  });

  test("all connected: any member may go", () => {
    for (const id of ["a", "b", "c"]) expect(removeRefusal(view({ b: LONG_AGO_MS, c: LONG_AGO_MS }), id)).toBeNull();
  });

  test("a just-reconnected peer is not yet counted", () => {
    expect(removeRefusal(view({ b: LONG_AGO_MS, c: NOW_MS - 10 }), "b")).toBe(UNHEALTHY);
    // Five voters, c freshly back: a, b, d, e count; without b, 3 of the 4 left are connected, a quorum.
    expect(removeRefusal(view({ b: LONG_AGO_MS, c: NOW_MS - 10, d: LONG_AGO_MS, e: LONG_AGO_MS }), "b")).toBeNull();
  });

  test("the last member cannot remove itself; an unstarted member can be removed from a two-member cluster", () => {
    expect(removeRefusal(view({}), "a")).toBe(NOT_ENOUGH_STARTED);
    expect(removeRefusal(view({ b: null }, { unstarted: ["b"] }), "b")).toBeNull();
  });

  test("removing a started member that would leave too few started is refused by the started rule", () => {
    expect(removeRefusal(view({ b: LONG_AGO_MS, c: null }, { unstarted: ["c"] }), "b")).toBe(NOT_ENOUGH_STARTED);
  });

  test("an unknown member is let through (the apply answers 404), as etcd does", () => {
    expect(removeRefusal(view({ b: LONG_AGO_MS, c: null }), "ffff")).toBeNull();
  });
});
