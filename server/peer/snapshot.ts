// Snapshot shipping over its own HTTP POST so a 100 MB store never sits in the message stream.
// Body: u32 header length, the MsgSnap header (codec, without payload), then the raw payload,
// streamed in chunks by the sender and copied once into a buffer of the final size by the receiver.
import type { Message } from "../raft/types.ts";
import { CodecError, decodeSnapshotHeader, encodeSnapshotHeader } from "./codec.ts";

const CHUNK_BYTES = 1 << 20;
const HEADER_BYTES_MAX = 1 << 20;
/** Above what one Uint8Array can hold on every platform Bun runs on. */
export const SNAPSHOT_BYTES_MAX = 2 ** 32 - 1;

/** The request body as a pull stream: nothing beyond one chunk is buffered on the sender side. */
export function snapshotBody(m: Message): ReadableStream<Uint8Array> {
  const header = encodeSnapshotHeader(m);
  const data = m.snapshot!.data;
  const prefix = new Uint8Array(4 + header.length);
  new DataView(prefix.buffer).setUint32(0, header.length);
  prefix.set(header, 4);
  let offset = -1;
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (offset < 0) {
          controller.enqueue(prefix);
          offset = 0;
        } else if (offset >= data.length) {
          controller.close();
        } else {
          controller.enqueue(data.subarray(offset, offset + CHUNK_BYTES));
          offset += CHUNK_BYTES;
        }
      },
    },
    { highWaterMark: 0 },
  );
}

/** Reads a snapshot request body back into the full message. Throws CodecError on malformed or truncated input. */
export async function readSnapshotBody(body: ReadableStream<Uint8Array>): Promise<Message> {
  const reader = body.getReader();
  let pending = new Uint8Array(0);
  let headerLength = -1;
  // Held in an object: TypeScript does not see the closure below assigning these.
  const st: { message: Message | null; data: Uint8Array | null; filled: number } = { message: null, data: null, filled: 0 };

  const consume = (chunk: Uint8Array): void => {
    if (st.data !== null) {
      if (st.filled + chunk.length > st.data.length) throw new CodecError("snapshot body longer than declared");
      st.data.set(chunk, st.filled);
      st.filled += chunk.length;
      return;
    }
    // Header phase: small, so concatenating is fine.
    const joined = new Uint8Array(pending.length + chunk.length);
    joined.set(pending);
    joined.set(chunk, pending.length);
    pending = joined;
    if (headerLength < 0 && pending.length >= 4) {
      headerLength = new DataView(pending.buffer, pending.byteOffset).getUint32(0);
      if (headerLength > HEADER_BYTES_MAX) throw new CodecError(`snapshot header of ${headerLength} bytes is too large`);
    }
    if (headerLength >= 0 && pending.length >= 4 + headerLength) {
      const decoded = decodeSnapshotHeader(pending.subarray(4, 4 + headerLength));
      if (decoded.snapshotBytes > SNAPSHOT_BYTES_MAX) throw new CodecError(`snapshot of ${decoded.snapshotBytes} bytes is too large`);
      st.message = decoded.message;
      st.data = new Uint8Array(decoded.snapshotBytes);
      const rest = pending.subarray(4 + headerLength);
      pending = new Uint8Array(0);
      consume(rest);
    }
  };

  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      consume(value);
    }
  } finally {
    reader.releaseLock();
  }
  if (st.message === null || st.data === null) throw new CodecError("truncated snapshot header");
  if (st.filled !== st.data.length) throw new CodecError(`truncated snapshot: got ${st.filled} of ${st.data.length} bytes`);
  st.message.snapshot!.data = st.data;
  return st.message;
}
