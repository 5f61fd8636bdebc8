// JSON shapes of the etcd v2 client API, spoken by the server and read by the dashboard.
// Field order matters: etcd emits node fields as key, value, dir, expiration, ttl, nodes,
// modifiedIndex, createdIndex, and the server builds these objects in that order.

export interface NodeJSON {
  key?: string;
  value?: string;
  dir?: true;
  /** RFC 3339 UTC, fractional seconds with trailing zeros trimmed (Go time.Time JSON). */
  expiration?: string;
  /** Seconds left, rounded up; omitted when <= 0. */
  ttl?: number;
  nodes?: NodeJSON[];
  modifiedIndex?: number;
  createdIndex?: number;
}

export type Action =
  | "get"
  | "set"
  | "create"
  | "update"
  | "delete"
  | "compareAndSwap"
  | "compareAndDelete"
  | "expire";

export interface EventJSON {
  action: Action;
  node?: NodeJSON;
  prevNode?: NodeJSON;
}

export interface ErrorJSON {
  errorCode: number;
  message: string;
  cause?: string;
  index: number;
}

export interface MemberJSON {
  id: string;
  name: string;
  peerURLs: string[];
  clientURLs: string[];
}

export interface StoreStatsJSON {
  getsSuccess: number;
  getsFail: number;
  setsSuccess: number;
  setsFail: number;
  deleteSuccess: number;
  deleteFail: number;
  updateSuccess: number;
  updateFail: number;
  createSuccess: number;
  createFail: number;
  compareAndSwapSuccess: number;
  compareAndSwapFail: number;
  compareAndDeleteSuccess: number;
  compareAndDeleteFail: number;
  expireCount: number;
  watchers: number;
}
