// A single member that keeps everything in memory and applies proposals directly: the stand-in
// until the Raft-backed member lands. It speaks the same Member interface, consumes store
// indexes for membership like etcd (so client-visible indexes resemble a real 1-member cluster)
// and drives TTL expiry with SYNC entries, but nothing is replicated or persisted.
import { computeMemberId } from "../bootstrap/ids.ts";
import { createStore, formatExpiration } from "../store/index.ts";
import { type ApplyResult, type TimeUs, type V2Request, type V2Store } from "../store/types.ts";
import type { MemberJSON } from "../../shared/v2.ts";
import { attributesRequest, raftAttributesRequest, readMembership, removeRequests } from "./membership.ts";
import { goDuration, wallUs } from "./stats.ts";
import { ETCD_CLUSTER_VERSION } from "./version.ts";
import { type LeaderStats, type Member, MembershipError, type SelfStats } from "./types.ts";

export interface LocalMemberOptions {
  id: string;
  name: string;
  clusterId: string;
  peerURLs: string[];
  clientURLs: string[];
  /** How often expiry SYNCs are proposed while TTL keys exist (etcd: 500 ms). */
  syncIntervalMs?: number;
  /** Wall clock in microseconds since the epoch; injectable so tests control expiry. */
  nowUs?: () => TimeUs;
}

export class LocalMember implements Member {
  readonly id: string;
  readonly name: string;
  readonly clusterId: string;
  readonly store: V2Store = createStore({ namespaces: ["/0", "/1", "/2"] });
  private readonly nowUs: () => TimeUs;
  private readonly syncIntervalMs: number;
  private readonly startUs: TimeUs;
  /**
   * Counts every applied entry, successful or not, like a Raft log would. Starts at 1 for the
   * empty entry a new Raft leader appends. Term stays 1: there is never another election here.
   */
  private appliedIndex = 1;
  private syncTimer: ReturnType<typeof setInterval> | null = null;

  constructor(opts: LocalMemberOptions) {
    this.id = opts.id;
    this.name = opts.name;
    this.clusterId = opts.clusterId;
    this.nowUs = opts.nowUs ?? wallUs;
    this.syncIntervalMs = opts.syncIntervalMs ?? 500;
    this.startUs = this.nowUs();
    // The same three writes a fresh etcd makes: conf change, published attributes, cluster version.
    // Membership then lives only in the store, as in etcd, so there is no second copy to keep in step.
    this.applyEntry(raftAttributesRequest(opts.id, [...opts.peerURLs].sort()));
    this.applyEntry(attributesRequest(opts.id, { name: opts.name, clientURLs: opts.clientURLs }));
    this.applyEntry({ method: "PUT", path: "/0/version", value: ETCD_CLUSTER_VERSION, dir: false, expireAtUs: null, refresh: false, nowUs: 0 });
  }

  propose(req: V2Request): Promise<ApplyResult> {
    try {
      return Promise.resolve(this.applyEntry(req));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  readBarrier(): Promise<void> {
    // Every proposal is applied before propose() returns, so nothing committed can be pending.
    return Promise.resolve();
  }

  raftIndex(): number {
    return this.appliedIndex;
  }

  raftTerm(): number {
    return 1;
  }

  members(): MemberJSON[] {
    return readMembership(this.store).members;
  }

  leader(): MemberJSON | null {
    return this.members().find((m) => m.id === this.id) ?? null;
  }

  /**
   * Only bookkeeping: the added member is listed (unstarted) but nothing is replicated to it and,
   * unlike etcd, it does not count toward a quorum. The Raft member does this for real.
   */
  async addMember(peerURLs: string[]): Promise<MemberJSON> {
    const { members, removed } = readMembership(this.store);
    this.checkURLsFree(members, { peerURLs, exceptId: null });
    const id = computeMemberId(peerURLs, String(Math.floor(this.nowUs() / 1_000_000)));
    if (members.some((m) => m.id === id) || removed.has(id)) throw new MembershipError(409, "membership: ID exists");
    const sorted = [...peerURLs].sort();
    this.applyEntry(raftAttributesRequest(id, sorted));
    return { id, name: "", peerURLs: sorted, clientURLs: [] };
  }

  async removeMember(id: string): Promise<void> {
    this.memberOrThrow(id);
    for (const req of removeRequests(id)) this.applyEntry(req);
  }

  async updateMember(id: string, peerURLs: string[]): Promise<void> {
    this.memberOrThrow(id);
    this.checkURLsFree(this.members(), { peerURLs, exceptId: id });
    this.applyEntry(raftAttributesRequest(id, [...peerURLs].sort()));
  }

  selfStats(): SelfStats {
    const uptime = goDuration(Math.max(0, this.nowUs() - this.startUs) / 1000);
    const startTime = formatExpiration(this.startUs);
    return {
      name: this.name,
      id: this.id,
      state: "StateLeader",
      startTime,
      leaderInfo: { leader: this.id, uptime, startTime },
      recvAppendRequestCnt: 0,
      sendAppendRequestCnt: 0,
    };
  }

  leaderStats(): LeaderStats | null {
    return { leader: this.id, followers: {} };
  }

  async health(): Promise<boolean> {
    return true;
  }

  /** Stops the expiry timer; the member stays readable. */
  stop(): void {
    if (this.syncTimer !== null) clearInterval(this.syncTimer);
    this.syncTimer = null;
  }

  private applyEntry(req: V2Request): ApplyResult {
    this.appliedIndex++;
    try {
      return this.store.apply(req);
    } finally {
      this.scheduleExpiry();
    }
  }

  /** Like etcd's leader: a SYNC with the wall clock every interval while any TTL key exists. */
  private scheduleExpiry(): void {
    const hasTtl = this.store.nextExpiryUs() !== null;
    if (hasTtl && this.syncTimer === null) {
      this.syncTimer = setInterval(() => this.applyEntry({ method: "SYNC", timeUs: this.nowUs() }), this.syncIntervalMs);
      // The timer must not keep a finished test or a stopping process alive.
      this.syncTimer.unref?.();
    } else if (!hasTtl && this.syncTimer !== null) {
      this.stop();
    }
  }

  private memberOrThrow(id: string): void {
    const { members, removed } = readMembership(this.store);
    if (removed.has(id)) throw new MembershipError(410, `Member permanently removed: ${id}`);
    if (!members.some((m) => m.id === id)) throw new MembershipError(404, `No such member: ${id}`);
  }

  private checkURLsFree(members: MemberJSON[], opts: { peerURLs: string[]; exceptId: string | null }): void {
    for (const m of members) {
      if (m.id !== opts.exceptId && m.peerURLs.some((u) => opts.peerURLs.includes(u))) {
        throw new MembershipError(409, "membership: peerURL exists");
      }
    }
  }
}
