// Where etcbun still answers differently from etcd 3.4. The conformance suites skip these steps
// when comparing and instead assert that they STILL differ, so an entry fails (and must be
// removed) as soon as the server is fixed. This list is the input for API fix-up work.
//
// `request` is the step's description as the failure output prints it (placeholders unexpanded).

export interface KnownDifference {
  sequence: string;
  request: string;
  /** What etcd answers vs what etcbun answers, in short. */
  difference: string;
}

export const knownDifferences: KnownDifference[] = [];
