// Majority arithmetic over the voters of a single configuration (membership changes one node
// at a time, so no joint quorums are needed).
import type { NodeId } from "./types.ts";

export const enum VoteResult {
  Pending = 0,
  Won = 1,
  Lost = 2,
}

export function majority(voterCount: number): number {
  return Math.floor(voterCount / 2) + 1;
}

/** Reused by committedIndex, which runs on every append acknowledgement. */
const matchScratch: number[] = [];

/** The largest index that a majority of voters have matched. 0 with no voters. */
export function committedIndex(voters: ReadonlySet<NodeId>, matchOf: (id: NodeId) => number): number {
  const n = voters.size;
  if (n === 0) return 0;
  const matches = matchScratch;
  matches.length = 0;
  // Insertion sort, descending: a handful of voters, and no array or comparator per call.
  for (const id of voters) {
    const m = matchOf(id);
    let i = matches.length;
    matches.push(m);
    while (i > 0 && matches[i - 1]! < m) {
      matches[i] = matches[i - 1]!;
      i--;
    }
    matches[i] = m;
  }
  return matches[majority(n) - 1]!;
}

/** Whether the granted/rejected votes so far decide the election. */
export function voteResult(voters: ReadonlySet<NodeId>, votes: ReadonlyMap<NodeId, boolean>): VoteResult {
  let granted = 0;
  let missing = 0;
  for (const id of voters) {
    const v = votes.get(id);
    if (v === undefined) missing++;
    else if (v) granted++;
  }
  const need = majority(voters.size);
  if (granted >= need) return VoteResult.Won;
  if (granted + missing >= need) return VoteResult.Pending;
  return VoteResult.Lost;
}

/** Whether the voters for which `isActive` holds form a majority. */
export function hasQuorum(voters: ReadonlySet<NodeId>, isActive: (id: NodeId) => boolean): boolean {
  let active = 0;
  for (const id of voters) if (isActive(id)) active++;
  return active >= majority(voters.size);
}
