import { describe, expect, test } from "bun:test";
import type { EtcdError } from "../store/types.ts";
import { LinearizableReads } from "./read-index.ts";

function setup(opts: { leader?: boolean; timeoutMs?: number; retryAfterMs?: number } = {}) {
  const asked: string[] = [];
  const host = {
    leader: opts.leader ?? true,
    ask: (ctx: Uint8Array) => void asked.push(new TextDecoder().decode(ctx)),
    hasLeader: () => host.leader,
    timeoutMs: () => opts.timeoutMs ?? 10_000,
    retryAfterMs: () => opts.retryAfterMs ?? 0,
  };
  return { reads: new LinearizableReads("m1.", host), asked, host };
}

const settled = async (p: Promise<void>) => {
  let state = "pending";
  p.then(() => (state = "resolved"), () => (state = "rejected"));
  await Bun.sleep(0);
  return state;
};

describe("LinearizableReads", () => {
  test("reads waiting at a flush share one request and complete once its index is applied", async () => {
    const { reads, asked } = setup();
    const a = reads.barrier();
    const b = reads.barrier();
    reads.flush();
    expect(asked).toHaveLength(1);
    const late = reads.barrier(); // after the ask: needs a request of its own
    reads.answered([{ index: 7, requestCtx: new TextEncoder().encode(asked[0]!) }]);
    reads.release(6);
    expect(await settled(a)).toBe("pending");
    reads.release(7);
    expect([await settled(a), await settled(b), await settled(late)]).toEqual(["resolved", "resolved", "pending"]);
    reads.flush();
    expect(asked).toHaveLength(2);
    expect(asked[1]).not.toBe(asked[0]);
    reads.stop(new Error("stopped"));
    expect(await settled(late)).toBe("rejected");
  });

  test("an unanswered request is asked again on a tick only with a leader, and again after a leader change", () => {
    const { reads, asked, host } = setup({ retryAfterMs: 60_000 });
    void reads.barrier().catch(() => {});
    reads.flush();
    reads.tick();
    expect(asked).toHaveLength(1); // not stale yet
    reads.askAgain();
    host.leader = false;
    reads.tick();
    expect(asked).toHaveLength(1);
    host.leader = true;
    reads.tick();
    expect(asked).toEqual([asked[0]!, asked[0]!]);
    reads.stop(new Error("stopped"));
  });

  test("a read nobody answers fails with etcd's timeout", async () => {
    const { reads } = setup({ timeoutMs: 5 });
    const a = reads.barrier();
    reads.flush();
    reads.tick();
    expect(await settled(a)).toBe("pending");
    await Bun.sleep(10);
    reads.tick(); // the member's tick sweeps deadlines
    const err = await a.then(() => null, (e: EtcdError) => e);
    expect([err?.errorCode, err?.cause_]).toEqual([300, "etcdserver: request timed out"]);
  });

  test("an answer for an unknown context is ignored", async () => {
    const { reads } = setup();
    const a = reads.barrier();
    reads.flush();
    reads.answered([{ index: 1, requestCtx: new TextEncoder().encode("other") }]);
    reads.release(100);
    expect(await settled(a)).toBe("pending");
    reads.stop(new Error("stopped"));
    expect(await settled(a)).toBe("rejected");
  });
});
