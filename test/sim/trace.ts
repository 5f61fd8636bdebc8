// A bounded ring of what happened last, printed when a run fails. Messages are kept as tuples
// and formatted only on failure, so tracing costs little on passing runs.
import type { Message } from "../../server/raft/types.ts";

const TYPE_NAMES = [
  "Hup", "Beat", "Prop", "App", "AppResp", "Vote", "VoteResp", "Snap", "Heartbeat", "HeartbeatResp",
  "Unreachable", "SnapStatus", "CheckQuorum", "TransferLeader", "TimeoutNow", "ReadIndex", "ReadIndexResp",
  "PreVote", "PreVoteResp",
];

type Line = { time: number; text: string } | { time: number; message: Message };

export function describeMessage(m: Message): string {
  const parts = [`${m.from}->${m.to} ${TYPE_NAMES[m.type] ?? m.type} term=${m.term}`];
  if (m.logTerm || m.index) parts.push(`logTerm=${m.logTerm} index=${m.index}`);
  if (m.entries.length) parts.push(`ents=[${m.entries[0]!.index}..${m.entries.at(-1)!.index}]@${m.entries.at(-1)!.term}`);
  if (m.commit) parts.push(`commit=${m.commit}`);
  if (m.reject) parts.push(`REJECT hint=${m.rejectHint}`);
  if (m.snapshot) parts.push(`snap=${m.snapshot.metadata.index}@${m.snapshot.metadata.term}`);
  return parts.join(" ");
}

export class Trace {
  private readonly lines: Line[] = [];
  private next = 0;

  constructor(private readonly capacity: number) {}

  private push(line: Line): void {
    if (this.lines.length < this.capacity) this.lines.push(line);
    else this.lines[this.next] = line;
    this.next = (this.next + 1) % this.capacity;
  }

  note(time: number, text: string): void {
    this.push({ time, text });
  }

  deliver(time: number, message: Message): void {
    this.push({ time, message });
  }

  format(): string {
    const ordered = this.lines.length < this.capacity ? this.lines : [...this.lines.slice(this.next), ...this.lines.slice(0, this.next)];
    return ordered.map((l) => `t=${l.time} ${"text" in l ? l.text : describeMessage(l.message)}`).join("\n");
  }
}
