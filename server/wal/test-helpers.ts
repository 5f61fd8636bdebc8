// Shared by the WAL test suites: entries with recognisable payloads and a quiet log sink.
import { EntryType, type Entry } from "../raft/types.ts";
import type { WalOptions } from "./context.ts";
import type { SimDisk } from "./simDisk.ts";

export const META = { memberId: "9e737febb6b99eee", clusterId: "c8730d66636ff140" };
export const DATA_DIR = "/d";

export function entry(index: number, term = 1, payloadBytes = 24): Entry {
  const data = new Uint8Array(payloadBytes);
  for (let i = 0; i < payloadBytes; i++) data[i] = (index * 31 + term * 7 + i) & 0xff;
  return { term, index, type: EntryType.Normal, data };
}

export function entries(from: number, to: number, term = 1, payloadBytes = 24): Entry[] {
  return Array.from({ length: to - from + 1 }, (_, i) => entry(from + i, term, payloadBytes));
}

/** Options for a small, fast WAL on a simulated disk, with its log lines collected. */
export function simOptions(disk: SimDisk, extra: WalOptions = {}): WalOptions & { lines: string[] } {
  const lines: string[] = [];
  return { disk, segmentSizeBytes: 4096, log: (l) => lines.push(l), lines, ...extra };
}
