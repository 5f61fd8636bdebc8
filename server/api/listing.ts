// Directory listings leave in pieces. A recursive GET of a large tree is one JSON text of
// hundreds of megabytes; made in one go it held the member's event loop (Raft ticks, heartbeats,
// peers, other clients) for as long as that took (0.46 s for 110 MB). Here the text is cut
// between JSON tokens into chunks of about CHUNK_CHARS, and each chunk after the first is made in
// its own event-loop turn, as the client reads. The event tree is built whole at request time
// and never changes, so the answer is the store as of its X-Etcd-Index whenever a chunk is made.
// Joined, the chunks are exactly eventJSON(event): Go's escapes and the namespace trimming both
// act on whole tokens, and a chunk never separates a key member from the separator after it.
import type { EventJSON } from "../store/types.ts";
import { goEscape } from "./go-json.ts";
import { trimNamespaceKeys } from "./paths.ts";

/** About 1 ms of serialization per chunk. */
const CHUNK_CHARS = 256 * 1024;

type Obj = Record<string, unknown>;

interface ObjectFrame {
  obj: Obj;
  keys: string[];
  next: number;
  wrote: boolean;
}

interface ArrayFrame {
  arr: unknown[];
  next: number;
}

type Frame = ObjectFrame | ArrayFrame;

/** Values walked member by member: arrays, and nodes that list children. Anything else is one JSON.stringify. */
function isDeep(v: unknown): v is Obj | unknown[] {
  if (typeof v !== "object" || v === null) return false;
  return Array.isArray(v) || Array.isArray((v as Obj).nodes);
}

/** JSON.stringify's text of one plain-data event, made a chunk at a time. */
export class EventChunks {
  private readonly stack: Frame[] = [];
  /** The event's opening brace, until the first chunk takes it. */
  private head: string;

  constructor(
    event: EventJSON,
    private readonly chunkChars = CHUNK_CHARS,
  ) {
    this.head = this.open(event as unknown as Obj);
  }

  get done(): boolean {
    return this.stack.length === 0;
  }

  /** The next chunk (Go-escaped, namespace trimmed); "" once done. */
  next(): string {
    let out = this.head;
    this.head = "";
    while (this.stack.length > 0 && out.length < this.chunkChars) {
      const f = this.stack[this.stack.length - 1]!;
      if ("arr" in f) {
        if (f.next === f.arr.length) {
          out += "]";
          this.stack.pop();
          continue;
        }
        if (f.next > 0) out += ",";
        out += this.value(f.arr[f.next++]) ?? "null";
        continue;
      }
      // An object's members go out together up to the first deep one, so a key member and the
      // comma after it are always in one chunk.
      let descended = false;
      while (f.next < f.keys.length) {
        const key = f.keys[f.next++]!;
        const text = this.value(f.obj[key]);
        if (text === undefined) continue;
        out += (f.wrote ? "," : "") + JSON.stringify(key) + ":" + text;
        f.wrote = true;
        if (this.stack[this.stack.length - 1] !== f) {
          descended = true;
          break;
        }
      }
      if (!descended) {
        out += "}";
        this.stack.pop();
      }
    }
    return out === "" ? "" : trimNamespaceKeys(goEscape(out));
  }

  /** A value's whole text, or for a deep one its opening bracket (its frame is then on top). */
  private value(v: unknown): string | undefined {
    if (!isDeep(v)) return JSON.stringify(v);
    return this.open(v);
  }

  private open(v: Obj | unknown[]): string {
    if (Array.isArray(v)) {
      this.stack.push({ arr: v, next: 0 });
      return "[";
    }
    this.stack.push({ obj: v, keys: Object.keys(v), next: 0, wrote: false });
    return "{";
  }
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** The UTF-8 length of the body chunkedEventBody gives, counted a chunk per turn (for HEAD). */
export async function eventBodyBytes(event: EventJSON): Promise<number> {
  const chunks = new EventChunks(event);
  let bytes = Buffer.byteLength(chunks.next()) + 1;
  while (!chunks.done) {
    await nextTurn();
    bytes += Buffer.byteLength(chunks.next());
  }
  return bytes;
}

/**
 * The body for an event and its trailing newline: the text itself when it fits one chunk,
 * otherwise a stream that makes each further chunk in a later turn, once the client has taken
 * the one before.
 */
export function chunkedEventBody(event: EventJSON): string | ReadableStream<Uint8Array> {
  const chunks = new EventChunks(event);
  const first = chunks.next();
  if (chunks.done) return first + "\n";
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        controller.enqueue(encoder.encode(first));
      },
      async pull(controller) {
        await nextTurn();
        const text = chunks.next();
        if (chunks.done) {
          controller.enqueue(encoder.encode(text + "\n"));
          controller.close();
        } else {
          controller.enqueue(encoder.encode(text));
        }
      },
    },
    { highWaterMark: 0 },
  );
}
