// --strict-reconfig-check (on by default in etcd 3.4 and etcbun) refuses a member add until the
// member asked has been connected to every voter for 5 s, and a remove that would leave no
// connected quorum, with a bare 500 and nothing proposed. An operator retries; so do the tests,
// up to a deadline that covers members (re)started just before.

const RETRY_MS = 20_000;
const RETRY_INTERVAL_MS = 250;

export interface RetryOptions {
  timeoutMs?: number;
  /** Called after each refusal, e.g. to move a test clock on instead of waiting for real. */
  onRefused?: () => void;
}

/** Sends `request` again while it is answered 500, until the deadline; returns the last answer. */
export async function whileRefused<R extends { status: number }>(request: () => Promise<R>, options: RetryOptions = {}): Promise<R> {
  const deadline = Date.now() + (options.timeoutMs ?? RETRY_MS);
  for (;;) {
    const r = await request();
    if (r.status !== 500 || Date.now() > deadline) return r;
    if (r instanceof Response) await r.arrayBuffer();
    options.onRefused?.();
    await Bun.sleep(RETRY_INTERVAL_MS);
  }
}

/** The same for a change asked of an in-process member, refused with a MembershipError of status 500. */
export async function changeWhileRefused<T>(change: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? RETRY_MS);
  for (;;) {
    try {
      return await change();
    } catch (e) {
      if ((e as { status?: unknown }).status !== 500 || Date.now() > deadline) throw e;
    }
    options.onRefused?.();
    await Bun.sleep(RETRY_INTERVAL_MS);
  }
}
