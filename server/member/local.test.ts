import { expect, test } from "bun:test";
import { EtcdError } from "../store/types.ts";
import { LocalMember } from "./local.ts";

function member(nowUs = () => 1_700_000_000_000_000) {
  return new LocalMember({ id: "a", name: "n", clusterId: "c", peerURLs: ["http://127.0.0.1:2"], clientURLs: ["http://127.0.0.1:1"], nowUs });
}

test("starts like a fresh etcd: membership and version written at store indexes 1-3", () => {
  const m = member();
  expect(m.store.index).toBe(3);
  expect(m.members()).toEqual([{ id: "a", name: "n", peerURLs: ["http://127.0.0.1:2"], clientURLs: ["http://127.0.0.1:1"] }]);
  expect(m.store.get("/0/version", { recursive: false, sorted: false, nowUs: 0 }).event.node?.value).toBe("3.4.0");
  m.stop();
});

test("every proposal is a log entry, failed or not; the store index moves only on success", async () => {
  const m = member();
  const raft = m.raftIndex();
  await m.propose({ method: "PUT", path: "/1/k", value: "v", dir: false, expireAtUs: null, refresh: false, nowUs: 0 });
  await expect(m.propose({ method: "PUT", path: "/1/k", value: "v", dir: false, prevExist: false, expireAtUs: null, refresh: false, nowUs: 0 })).rejects.toBeInstanceOf(EtcdError);
  expect([m.raftIndex() - raft, m.store.index]).toEqual([2, 4]);
  m.stop();
});

test("expiry SYNCs run only while TTL keys exist", async () => {
  let now = 1_700_000_000_000_000;
  const m = new LocalMember({ id: "a", name: "n", clusterId: "c", peerURLs: ["http://127.0.0.1:2"], clientURLs: [], nowUs: () => now, syncIntervalMs: 5 });
  await Bun.sleep(20);
  const idle = m.raftIndex();
  expect(idle).toBe(4); // no SYNC entries without TTL keys
  await m.propose({ method: "PUT", path: "/1/t", value: "v", dir: false, expireAtUs: now + 1_000_000, refresh: false, nowUs: now });
  now += 1_000_000;
  for (let i = 0; i < 100 && m.store.nextExpiryUs() !== null; i++) await Bun.sleep(5);
  expect(m.store.stats().expireCount).toBe(1);
  const after = m.raftIndex();
  await Bun.sleep(30);
  expect(m.raftIndex()).toBe(after); // the timer stopped with the last TTL key
  m.stop();
});
