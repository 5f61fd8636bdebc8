import { describe, expect, test } from "bun:test";
import { makeMessage } from "../raft/message.ts";
import { EntryType, MessageType } from "../raft/types.ts";
import { goDuration, PeerTraffic, RateQueue } from "./stats.ts";

test("goDuration prints what Go's time.Duration String() prints, sub-second units included", () => {
  expect(goDuration(0)).toBe("0s");
  expect(goDuration(0.000007)).toBe("7ns");
  expect(goDuration(0.012)).toBe("12µs");
  expect(goDuration(79.207024)).toBe("79.207024ms");
  expect(goDuration(58)).toBe("58ms");
  expect(goDuration(1500)).toBe("1.5s");
  expect(goDuration(8495.572016)).toBe("8.495572016s");
  expect(goDuration(707_448.056047)).toBe("11m47.448056047s");
  expect(goDuration(3_723_000)).toBe("1h2m3s");
});

describe("append rate queue (/v2/stats/self rates)", () => {
  test("rates over the span of the last appends; omitted when idle", () => {
    const q = new RateQueue();
    expect(q.json("recv", 0)).toEqual({});
    for (let i = 0; i <= 10; i++) q.add(i * 100, 1000);
    expect(q.rates(1000)).toEqual({ pkg: 11, bandwidth: 11000 });
    expect(Object.keys(q.json("recv", 1000))).toEqual(["recvPkgRate", "recvBandwidthRate"]);
    expect(q.json("send", 2500)).toEqual({});
  });
});

test("PeerTraffic counts appends both ways, answers per follower, and times heartbeat round trips", async () => {
  const t = new PeerTraffic();
  const entry = { term: 1, index: 1, type: EntryType.Normal, data: new Uint8Array(10) };
  t.received(makeMessage({ type: MessageType.App, from: "a", entries: [entry] }));
  t.sent([makeMessage({ type: MessageType.App, to: "b" }), makeMessage({ type: MessageType.App, to: "c" })]);
  t.received(makeMessage({ type: MessageType.AppResp, from: "b" }));
  t.received(makeMessage({ type: MessageType.AppResp, from: "b", reject: true }));
  t.received(makeMessage({ type: MessageType.AppResp, from: "b" }));
  expect(t.selfJSON()).toMatchObject({ recvAppendRequestCnt: 1, sendAppendRequestCnt: 2 });
  expect(t.follower("b").toJSON().counts).toEqual({ fail: 1, success: 2 });

  t.sent([makeMessage({ type: MessageType.Heartbeat, to: "b" })]);
  await Bun.sleep(5);
  t.sent([makeMessage({ type: MessageType.Heartbeat, to: "b" })]); // the first one is timed
  t.received(makeMessage({ type: MessageType.HeartbeatResp, from: "b" }));
  t.received(makeMessage({ type: MessageType.HeartbeatResp, from: "b" })); // nothing outstanding
  const latency = t.follower("b").toJSON().latency;
  expect(latency.current).toBeGreaterThanOrEqual(0.004);
  expect(latency.maximum).toBe(latency.current);

  t.forget("b");
  expect(t.follower("b").toJSON().counts).toEqual({ fail: 0, success: 0 });
});
