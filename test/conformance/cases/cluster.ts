// Members, machines, stats, version, health and unknown paths on a single member
// (cluster-api.md §1–§6). Nothing here adds a member: that would stall a 1-member cluster.
import type { Sequence } from "../harness/types.ts";
import { del, get, head, post, put } from "./steps.ts";

const json = { "Content-Type": "application/json" };

/** Every counter of /v2/stats/store varies with what else ran; their names, order and types must not. */
const storeStatsFields = [
  "getsSuccess", "getsFail", "setsSuccess", "setsFail", "deleteSuccess", "deleteFail", "updateSuccess", "updateFail",
  "createSuccess", "createFail", "compareAndSwapSuccess", "compareAndSwapFail", "compareAndDeleteSuccess",
  "compareAndDeleteFail", "expireCount", "watchers",
];

export const cluster: Sequence[] = [
  {
    name: "members",
    steps: [
      get("/v2/members"),
      get("/v2/members/"),
      get("/v2/members/leader"),
      get("/v2/members/zzz"),
      post("/v2/members", { peerURLs: "http://127.0.0.1:1" }),
      post("/v2/members", undefined, { body: "{bad json", headers: json }),
      post("/v2/members", undefined, { body: '{"peerURLs":["notaurl"]}', headers: json }),
      post("/v2/members", undefined, { body: '{"peerURLs":["{peer}"]}', headers: json }),
      put("/v2/members/deadbeef", undefined, { body: '{"peerURLs":["http://127.0.0.1:1"]}', headers: json }),
      put("/v2/members", undefined, { body: '{"peerURLs":["http://127.0.0.1:1"]}', headers: json }),
      del("/v2/members/deadbeef"),
      del("/v2/members/zzz"),
      { method: "PATCH", path: "/v2/members" },
    ],
  },
  {
    name: "machines version health",
    steps: [
      get("/v2/machines"),
      head("/v2/machines"),
      get("/version", { vary: ["etcdserver", "etcdcluster"] }),
      get("/health"),
      get("/nope"),
      get("/v2/nope"),
      post("/version"),
    ],
  },
  {
    name: "stats",
    steps: [
      get("/v2/stats/self"),
      get("/v2/stats/leader"),
      put("{k}/a", { value: "1" }),
      get("/v2/stats/store", { vary: storeStatsFields }),
      post("/v2/stats/self"),
      put("/v2/stats/store"),
      get("/v2/stats/nope"),
    ],
  },
];
