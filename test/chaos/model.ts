// The sequential specification of one etcd v2 key: absent (null) or a string value. A step
// returns every state the operation may leave behind, or none when the operation could not
// have returned what it did from this state.
import type { KeyOp } from "./history.ts";

export type KeyState = string | null;

function applied(state: KeyState, op: KeyOp): KeyState[] {
  switch (op.kind) {
    case "read":
      return op.outcome === "ok" ? (state === op.result ? [state] : []) : [state];
    case "write":
      return [op.value ?? ""];
    case "cas":
      return state === op.expected ? [op.value ?? ""] : [];
    case "delete":
      return state !== null ? [null] : [];
  }
}

function refused(state: KeyState, op: KeyOp): KeyState[] {
  switch (op.kind) {
    case "read":
    case "write":
      return [state];
    case "cas":
      // etcd answers 101 (compare failed) or 100 (key absent): both mean the compare was false.
      return state !== op.expected ? [state] : [];
    case "delete":
      return state === null ? [state] : [];
  }
}

export function stepKey(state: KeyState, op: KeyOp): KeyState[] {
  if (op.outcome === "ok") return applied(state, op);
  if (op.outcome === "fail") return refused(state, op);
  // Unknown: it may take effect here, if it can. "Never happened" is not a step: the checker
  // simply leaves the operation unlinearized (its return lies at +Infinity).
  return applied(state, op);
}
