// The dashboard in a real browser against the compiled executable: one member, then a
// three-member cluster (where the failover test kills the leader the page was loaded from).
import { singleMember, threeMembers } from "./launcher.ts";
import { dashboardSuite } from "./suite.ts";

dashboardSuite("single member of dist/etcbun", singleMember);
dashboardSuite("three members of dist/etcbun", threeMembers());
