// What the client API needs from a member: the Raft-backed member implements it, so the API does
// not depend on Raft, WAL or transport details.
import type { MemberJSON } from "../../shared/v2.ts";
import { type ApplyResult, ErrorCode, EtcdError, type V2Request, type V2Store } from "../store/types.ts";

export interface SelfStats {
  name: string;
  id: string;
  state: string;
  startTime: string;
  leaderInfo: { leader: string; uptime: string; startTime: string };
  recvAppendRequestCnt: number;
  recvPkgRate?: number;
  recvBandwidthRate?: number;
  sendAppendRequestCnt: number;
  sendPkgRate?: number;
  sendBandwidthRate?: number;
}

export interface LeaderStats {
  leader: string;
  followers: Record<
    string,
    {
      latency: { current: number; average: number; standardDeviation: number; minimum: number; maximum: number };
      counts: { fail: number; success: number };
    }
  >;
}

/** etcd's answer (raft internal error) to a request that timed out or met a stopped server. */
export function timeoutError(cause = "etcdserver: request timed out"): EtcdError {
  return new EtcdError(ErrorCode.RaftInternal, cause, 0);
}

/** Why a member add/remove/update failed, mapped to HTTP by the API. */
export class MembershipError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface Member {
  readonly id: string;
  readonly name: string;
  readonly clusterId: string;
  /** Local reads and watches go straight to the store. */
  readonly store: V2Store;
  /** Replicate and apply one mutation; resolves once applied locally. Rejects with EtcdError (e.g. 300 on timeout). */
  propose(req: V2Request): Promise<ApplyResult>;
  /** Linearizable read barrier (ReadIndex): resolves once the local store has applied everything committed before the call. */
  readBarrier(): Promise<void>;
  /** Raft commit index and term, for X-Raft-Index / X-Raft-Term. */
  raftIndex(): number;
  raftTerm(): number;
  /** WAL fdatasyncs since start, for /metrics (absent when there is no WAL). */
  walSyncCount?(): number;
  members(): MemberJSON[];
  /** The current leader, or null during an election. */
  leader(): MemberJSON | null;
  addMember(peerURLs: string[]): Promise<MemberJSON>;
  removeMember(id: string): Promise<void>;
  updateMember(id: string, peerURLs: string[]): Promise<void>;
  selfStats(): SelfStats;
  /** null when this member is not the leader. */
  leaderStats(): LeaderStats | null;
  /**
   * Resolves once the member has joined the cluster and published itself; like etcd, the client
   * API answers nothing before that (a joining member would otherwise serve an empty store).
   */
  ready?(): Promise<void>;
  /** Why the member stopped accepting writes (a failed disk write or fsync); null when it can. */
  diskFailure?(): string | null;
  /** etcd's /health: has a leader and can commit. */
  health(): Promise<boolean>;
}
