// etcd 3.4's --strict-reconfig-check: the member that receives a member add or remove refuses it,
// before proposing anything, when the change could leave the cluster without a working quorum.
// Two rules, checked in etcd's order: enough *started* (published) voters, then enough voters this
// member has been connected to for a whole HEALTH_INTERVAL_MS. etcd answers either refusal on the
// v2 API with a bare 500 {"message":"Internal Server Error"}; the reason only goes to its log.

/** etcd's HealthInterval: a peer counts as connected once its stream has been up this long. */
export const HEALTH_INTERVAL_MS = 5000;

/** etcd's ErrNotEnoughStartedMembers and ErrUnhealthy texts, for the log line. */
export const NOT_ENOUGH_STARTED = "etcdserver: re-configuration failed due to not enough started members";
export const UNHEALTHY = "etcdserver: unhealthy cluster";
export type ReconfigRefusal = typeof NOT_ENOUGH_STARTED | typeof UNHEALTHY;

export interface ReconfigView {
  selfId: string;
  /** The voting members, this one included; started = has published its name. */
  voters: readonly { id: string; started: boolean }[];
  /** Since when the stream to a peer has been up without a break, on the nowMs clock; null while down. */
  activeSinceMs(id: string): number | null;
  nowMs: number;
}

function quorum(voters: number): number {
  return Math.floor(voters / 2) + 1;
}

/** Voters this member has been connected to for longer than HEALTH_INTERVAL_MS, itself included. */
function connectedVoters(view: ReconfigView): number {
  const sinceMs = view.nowMs - HEALTH_INTERVAL_MS;
  return view.voters.filter((v) => {
    if (v.id === view.selfId) return true;
    const activeMs = view.activeSinceMs(v.id);
    return activeMs !== null && activeMs < sinceMs;
  }).length;
}

/** Why adding one voting member must be refused, or null to go ahead. */
export function addRefusal(view: ReconfigView): ReconfigRefusal | null {
  const started = view.voters.filter((v) => v.started).length;
  const votersAfter = view.voters.length + 1;
  // A second member for a one-member cluster is how a cluster is restored from a backup; etcd lets it through.
  const restoring = started === 1 && votersAfter === 2;
  if (!restoring && started < quorum(votersAfter)) return NOT_ENOUGH_STARTED;
  if (connectedVoters(view) !== view.voters.length) return UNHEALTHY;
  return null;
}

/** Why removing member `id` must be refused, or null to go ahead. */
export function removeRefusal(view: ReconfigView, id: string): ReconfigRefusal | null {
  const rest = view.voters.filter((v) => v.id !== id);
  if (rest.filter((v) => v.started).length < quorum(rest.length)) return NOT_ENOUGH_STARTED;
  // A peer this member cannot reach is not part of the quorum that works now: removing it cannot break that.
  if (id !== view.selfId && view.activeSinceMs(id) === null) return null;
  // As etcd does, one connected voter is taken off for the member going away (it is this member or its stream is up).
  if (connectedVoters(view) - 1 < quorum(view.voters.length - 1)) return UNHEALTHY;
  return null;
}
