// Allocator settings that can only be given through the environment before the process starts.
// Imported first by main.ts: when they are missing, the member re-executes itself once in place
// (execve keeps the PID, the open descriptors and the arguments) with them added.
//
// MIMALLOC_PURGE_DELAY: mimalloc returns freed pages to the kernel 10 ms after they empty by
// default. A member allocates and frees request-sized memory continuously, so it kept handing
// pages back (madvise, with TLB shootdowns) only to fault them in again moments later; measured
// on the 3-member PUT benchmark, a 1 s delay cut that churn and raised throughput markedly.
//
// MIMALLOC_PURGE_HOLES_MIN_INTERVAL: mimalloc's scavenger thread also gives back free blocks
// inside pages still in use, by default every 100 ms, running 1-3 ms each time; a client or
// member thread woken on that CPU waits behind it. Counted with `perf sched` over 5 s of
// one-client PUTs on 3 members, it was behind 19-30 of the client's 108-123 waits over 2 ms;
// every 1 s, behind 3-10 (RSS after the 100,000-key benchmark 141-160 MiB against 141).

const MARKER = "ETCBUN_RUNTIME_TUNED";
const SETTINGS: Record<string, string> = {
  MIMALLOC_PURGE_DELAY: "1000",
  MIMALLOC_PURGE_HOLES_MIN_INTERVAL: "1000",
};

/** The argv that starts this same program again: a compiled executable has no script argument. */
function selfArgv(): string[] {
  const script = process.argv[1] ?? "";
  const compiled = script.startsWith("/$bunfs/") || script.includes("~BUN");
  return compiled ? [process.execPath, ...process.argv.slice(2)] : [process.execPath, ...process.execArgv, ...process.argv.slice(1)];
}

export function tuneRuntime(env: NodeJS.ProcessEnv = process.env): void {
  // A setting already in the environment is the user's: it is kept, and the others still added.
  if (env[MARKER] === "1" || Object.keys(SETTINGS).every((k) => env[k] !== undefined)) return;
  const execve = (process as { execve?: (file: string, args: string[], env: Record<string, string | undefined>) => never }).execve;
  if (typeof execve !== "function") return;
  try {
    execve(process.execPath, selfArgv(), { ...SETTINGS, ...env, [MARKER]: "1" });
  } catch {
    // Not possible here (platform, permissions): run untuned rather than not at all.
  }
}

tuneRuntime();
