// Members, machines, stats, version and health, compared with real etcd 3.4.
import { cluster } from "./cases/cluster.ts";
import { conformanceSuite } from "./harness/suite.ts";

conformanceSuite("cluster API", cluster);
