// What the keys benchmark measures: each scenario starts etcd or etcbun the same way. Add a
// 3-member cluster here as another Scenario once clusters can be started (issue 5).
import { startServer } from "../test/support/servers.ts";
import type { Scenario } from "./types.ts";

export const singleMember: Scenario = {
  name: "1 member",
  async start(kind) {
    const s = await startServer(kind, { name: "bench" });
    return { clientURLs: [s.clientURL], stop: () => s.stop() };
  },
};

export const scenarios: Scenario[] = [singleMember];
