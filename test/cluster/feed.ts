// Reads the Raft events a member has recorded since it started, from the first ("hello") message
// of its dashboard feed. The cluster suites use it to tell how a member caught up (an installed
// snapshot versus replayed entries), which the client API does not show.
import { FEED_PATH, type FeedMessage, type RaftEvent } from "../../shared/feed.ts";

export async function raftEventsOf(clientURL: string, options: { timeoutMs?: number } = {}): Promise<RaftEvent[]> {
  return (await feedHelloOf(clientURL, options)).raftEvents;
}

/** The feed's first message: the member's status (Raft indexes, the leader's view of each follower) and recent events. */
export async function feedHelloOf(clientURL: string, options: { timeoutMs?: number } = {}): Promise<Extract<FeedMessage, { type: "hello" }>> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), options.timeoutMs ?? 5000);
  try {
    const r = await fetch(`${clientURL}${FEED_PATH}`, { signal: abort.signal });
    if (r.status !== 200 || !r.body) throw new Error(`feed answered ${r.status}`);
    const reader = r.body.getReader();
    const dec = new TextDecoder();
    let buf = "";
    for (;;) {
      const { done, value } = await reader.read();
      if (done) throw new Error("feed ended before its hello message");
      buf += dec.decode(value, { stream: true });
      for (let end = buf.indexOf("\n\n"); end >= 0; end = buf.indexOf("\n\n")) {
        const block = buf.slice(0, end);
        buf = buf.slice(end + 2);
        const data = block
          .split("\n")
          .filter((l) => l.startsWith("data:"))
          .map((l) => l.slice(5).trimStart())
          .join("\n");
        if (!data) continue;
        const msg = JSON.parse(data) as FeedMessage;
        if (msg.type === "hello") return msg;
      }
    }
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
}
