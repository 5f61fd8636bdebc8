// Where etcbun still answers differently from etcd 3.4. The conformance suites skip these steps
// when comparing and instead assert that they STILL differ, so an entry fails (and must be
// removed) as soon as the server is fixed. This list is the input for API fix-up work.
//
// `sequence` is a conformance sequence name, or "etcdctl" / "python-etcd" for the client suites;
// `request` is the step's description as the failure output prints it (placeholders unexpanded),
// the etcdctl arguments joined by spaces, or the python-etcd step name.

export interface KnownDifference {
  sequence: string;
  request: string;
  /** What etcd answers vs what etcbun answers, in short. */
  difference: string;
}

export const knownDifferences: KnownDifference[] = [
  ...["watch plain: GET {k}/a?wait=true", "watch rec: GET {k}?wait=true&recursive=true", "watch stream: GET {k}/a?wait=true&stream=true"].map(
    (request) => ({
      sequence: "watch headers flushed at registration",
      request,
      difference:
        'body bytes before the first event: etcd sends none (body = event JSON + "\\n"); etcbun sends a "\\n" at registration to get Bun to flush the headers. JSON clients ignore it; a line-by-line stream reader sees an empty first line',
    }),
  ),
];

/** Known differences only apply to etcbun; a second etcd must match everywhere. */
export function knownDifference(sequence: string, request: string): KnownDifference | undefined {
  if (process.env.CONFORMANCE_TARGET === "etcd") return undefined;
  return knownDifferences.find((k) => k.sequence === sequence && k.request === request);
}

/**
 * The verdict on one compared step: a known difference must still differ, anything else must
 * match. Returns a problem line, or null when all is as expected.
 */
export function verdict(sequence: string, request: string, differs: boolean, detail: string): string | null {
  const known = knownDifference(sequence, request);
  if (known && !differs) return `known difference now matches etcd, remove it from known-differences.ts: ${sequence} / ${request}`;
  if (!known && differs) return detail;
  return null;
}
