import { describe, expect, test } from "bun:test";
import type { Message } from "../raft/types.ts";
import { BoundedQueue } from "./bounded-queue.ts";

const msg = (index: number, dataBytes = 0): Message => ({
  type: 3, to: "2", from: "1", term: 1, logTerm: 1, index, commit: 0, reject: false, rejectHint: 0,
  entries: dataBytes > 0 ? [{ term: 1, index, type: 0, data: new Uint8Array(dataBytes) }] : [],
});

describe("BoundedQueue", () => {
  test("keeps FIFO order and drops the oldest past the message bound", () => {
    const q = new BoundedQueue({ messagesMax: 3, bytesMax: 1 << 20 });
    const dropped = [1, 2, 3, 4, 5].map((i) => q.push(msg(i)));
    expect(dropped).toEqual([0, 0, 0, 1, 1]);
    expect(q.take({ messagesMax: 10, bytesTarget: 1 << 20 }).map((m) => m.index)).toEqual([3, 4, 5]);
    expect(q.length).toBe(0);
  });

  test("drops the oldest past the byte bound but always keeps the newest", () => {
    const q = new BoundedQueue({ messagesMax: 100, bytesMax: 1000 });
    q.push(msg(1, 400));
    q.push(msg(2, 400));
    expect(q.push(msg(3, 400))).toBe(1);
    expect(q.push(msg(4, 5000))).toBe(2);
    expect(q.take({ messagesMax: 10, bytesTarget: 1 }).map((m) => m.index)).toEqual([4]);
    expect(q.queuedBytes).toBe(0);
  });

  test("take stops at the message count or byte target, taking at least one", () => {
    const q = new BoundedQueue({ messagesMax: 100, bytesMax: 1 << 20 });
    for (let i = 0; i < 10; i++) q.push(msg(i, 100));
    expect(q.take({ messagesMax: 3, bytesTarget: 1 << 20 }).length).toBe(3);
    expect(q.take({ messagesMax: 100, bytesTarget: 200 }).length).toBe(2);
    expect(q.take({ messagesMax: 100, bytesTarget: 0 }).length).toBe(1);
    expect(q.length).toBe(4);
  });

  test("storage stays bounded when nothing is ever taken (a peer down for long)", () => {
    const q = new BoundedQueue({ messagesMax: 10, bytesMax: 1 << 20 });
    for (let i = 0; i < 100_000; i++) q.push(msg(i));
    expect(q.length).toBe(10);
    // Reach into the storage: the backing array must not hold the 99,990 dropped messages.
    expect((q as unknown as { items: unknown[] }).items.length).toBeLessThan(3000);
    expect(q.take({ messagesMax: 100, bytesTarget: 1 << 20 }).map((m) => m.index)).toEqual(Array.from({ length: 10 }, (_, i) => 99_990 + i));
  });
});
