// Folds the records of all segments into the log Raft restarts from: later entries with an index
// already seen replace it and everything after (Raft truncated a conflicting suffix), and a
// snapshot marker past the end starts the log afresh (a snapshot received from the leader).
import type { Entry, HardState } from "../raft/types.ts";
import { RecordType, type WalMetadata } from "./codec.ts";
import { WalCorruptError } from "./errors.ts";
import type { Segment, SegmentScan } from "./segment.ts";

export interface ReplayedLog {
  metadata: WalMetadata;
  hardState: HardState;
  hardStateSeen: boolean;
  /** Entries held are baseIndex+1 .. lastIndex. */
  baseIndex: number;
  lastIndex: number;
  /** True when the WAL vouches for a snapshot at (index, term): a marker or an entry says so. */
  snapshotMatches(index: number, term: number): boolean;
  entriesAfter(index: number): Entry[];
}

export function replayLog(segments: Segment[], scans: SegmentScan[], expected?: WalMetadata): ReplayedLog {
  let metadata: WalMetadata | undefined = expected;
  let hardState: HardState = { term: 0, vote: "", commit: 0 };
  let hardStateSeen = false;
  const markers = new Set<string>();
  // The oldest kept segment may start after released ones; its name says where its entries begin.
  let base = segments[0]!.firstIndex === 0 ? 0 : segments[0]!.firstIndex - 1;
  let log: Entry[] = [];
  for (let i = 0; i < scans.length; i++) {
    const path = segments[i]!.path;
    for (const { record, offset } of scans[i]!.records) {
      switch (record.type) {
        case RecordType.Metadata:
          if (!metadata) metadata = record.metadata;
          else if (metadata.memberId !== record.metadata.memberId || metadata.clusterId !== record.metadata.clusterId) {
            throw new WalCorruptError(path, offset, `metadata mismatch: member ${record.metadata.memberId} cluster ${record.metadata.clusterId}, expected member ${metadata.memberId} cluster ${metadata.clusterId}`);
          }
          break;
        case RecordType.HardState:
          hardState = record.hardState;
          hardStateSeen = true;
          break;
        case RecordType.Snapshot: {
          const m = record.marker;
          markers.add(`${m.index}:${m.term}`);
          if (m.index > base + log.length) {
            base = m.index;
            log = [];
          }
          break;
        }
        case RecordType.Entry: {
          const e = record.entry;
          const next = base + log.length + 1;
          if (e.index > next) throw new WalCorruptError(path, offset, `missing entries: found index ${e.index} where ${next} was expected`);
          if (e.index <= base) {
            // Overwriting below what this WAL still holds: only possible right after released segments.
            base = e.index - 1;
            log = [];
          } else {
            log.length = e.index - base - 1;
          }
          log.push(e);
          break;
        }
      }
    }
  }
  if (!metadata) throw new WalCorruptError(segments[0]!.path, 0, "no metadata record");
  const finalBase = base;
  const entries = log;
  const termAt = (index: number): number | undefined => (index > finalBase && index <= finalBase + entries.length ? entries[index - finalBase - 1]!.term : undefined);
  return {
    metadata,
    hardState,
    hardStateSeen,
    baseIndex: finalBase,
    lastIndex: finalBase + entries.length,
    snapshotMatches: (index, term) => index === 0 || markers.has(`${index}:${term}`) || termAt(index) === term,
    entriesAfter: (index) => entries.slice(Math.max(0, index - finalBase)),
  };
}
