// etcd v2 keys API, compared request by request with real etcd 3.4.
import { keysBasic } from "./cases/keys-basic.ts";
import { keysParams } from "./cases/keys-params.ts";
import { watchAndTtl } from "./cases/watch-ttl.ts";
import { conformanceSuite } from "./harness/suite.ts";

conformanceSuite("keys API", [...keysBasic, ...keysParams, ...watchAndTtl]);
