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
  {
    sequence: "fresh root",
    request: "store index before the sequence",
    difference:
      "X-Etcd-Index of a fresh 1-member server: etcd 3 (member add, attribute publish, cluster version, keys-api.md §1), etcbun 2; every later index is one lower than etcd's",
  },
  {
    sequence: "host header",
    request: "GET {k}/h Host: x",
    difference: "etcd ignores the Host header and answers 200 with the key; etcbun answers 404 text/plain '404 page not found' for Host: x",
  },
  ...["watch plain: GET {k}/a?wait=true", "watch rec: GET {k}?wait=true&recursive=true", "watch stream: GET {k}/a?wait=true&stream=true"].map(
    (request) => ({
      sequence: "watch headers flushed at registration",
      request,
      difference:
        "etcd sends status, headers and the blank line (Transfer-Encoding: chunked) when the watch registers; etcbun writes the status line and headers but not the terminating CRLF until the first event, so clients cannot read the headers (keys-api.md §9.3)",
    }),
  ),
  {
    sequence: "python-etcd",
    request: "watch timeout",
    difference:
      "client-visible effect of the unflushed watch headers: python-etcd's watch(timeout=0.3) raises EtcdWatchTimedOut against etcd, EtcdConnectionFailed (read timeout while reading headers) against etcbun",
  },
  {
    sequence: "members",
    request: "POST /v2/members body={bad json Content-Type: application/json",
    difference:
      "400 message text: etcd has Go's \"invalid character 'b' looking for beginning of object key string\", etcbun has JavaScript's \"JSON Parse error: Expected '}'\"",
  },
  {
    sequence: "members",
    request: 'PUT /v2/members body={"peerURLs":["http://127.0.0.1:1"]} Content-Type: application/json',
    difference: "405 headers: etcd sends X-Etcd-Cluster-Id and no Allow header; etcbun sends Allow: GET,POST,DELETE,PUT and no X-Etcd-Cluster-Id",
  },
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
