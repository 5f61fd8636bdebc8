// A once-a-second clock for countdowns (TTL) and "n seconds ago".
import { signal } from "@preact/signals";

export const nowMs = signal(Date.now());
setInterval(() => {
  nowMs.value = Date.now();
}, 1000);
