// Seeds that once failed, kept as regression runs. A seed names a whole schedule only for the
// simulator version that found it; they stay useful as extra, historically nasty schedules.
export const REGRESSION_SEEDS: ReadonlyArray<{ seed: number; found: string }> = [
  { seed: 1, found: "leader stuck in snapshot state when the follower's ack was lost (transport must report snapshot status)" },
  { seed: 20, found: "a member added later took its config from flags, not the log: two leaders' logs disagreed" },
  { seed: 22, found: "added member believed itself the only voter and elected itself" },
  { seed: 24, found: "committed entry overwritten after an added member formed its own quorum" },
  { seed: 154, found: "a removed member with a longer log refused votes; heal needed every member" },
  { seed: 240, found: "follower starved behind a 1-message window and 64-byte messages" },
  { seed: 424, found: "backlog larger than the heal budget at minimum flow-control settings" },
  { seed: 752, found: "no convergence after membership churn with a partial heal" },
  { seed: 1250, found: "no convergence after membership churn with a partial heal" },
  { seed: 500341, found: "3 of 5 healed with 5-tick delays and no pre-vote: elections livelocked until heal restored a healthy network" },
];
