// Polling for a condition the code under test reaches asynchronously (a stream coming up, a
// member applying an entry), with a deadline so a stuck suite fails instead of hanging.
export async function until(cond: () => boolean, options: { timeoutMs?: number; pollMs?: number } = {}): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 8000);
  while (!cond()) {
    if (Date.now() > deadline) throw new Error("condition not reached in time");
    await Bun.sleep(options.pollMs ?? 5);
  }
}
