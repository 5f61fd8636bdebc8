// The two ways the WAL says no. The member logs `message` and exits non-zero on the first; it
// reports the second through /health and stops accepting writes.

/** The files on disk cannot be trusted: a checksum mismatch outside a torn tail, a gap, a foreign file. */
export class WalCorruptError extends Error {
  override readonly name = "WalCorruptError";
  constructor(
    readonly file: string,
    readonly offset: number,
    readonly reason: string,
  ) {
    super(`wal: ${reason} in ${file} at offset ${offset}; refusing to start so no committed data is silently dropped`);
  }
}

/** A write or sync failed earlier; nothing more is written until a restart re-reads the disk. */
export class WalFailedError extends Error {
  override readonly name = "WalFailedError";
  constructor(override readonly cause: unknown) {
    super(`wal: stopped after a failed write or sync (${cause instanceof Error ? cause.message : String(cause)}); restart once the disk is healthy`);
  }
}
