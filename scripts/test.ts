// `npm test`: type-check, build the single executable (the real-process suites run it), then
// every bun:test suite. Extra arguments are passed to `bun test` (e.g. a path filter).
import { spawnSync } from "node:child_process";

function step(name: string, cmd: string[]): void {
  const started = performance.now();
  console.log(`\n== ${name}: ${cmd.join(" ")}`);
  const r = spawnSync(cmd[0]!, cmd.slice(1), { stdio: "inherit" });
  const secs = ((performance.now() - started) / 1000).toFixed(1);
  if (r.status !== 0) {
    console.error(`== ${name} failed (exit ${r.status ?? r.signal}) after ${secs}s`);
    process.exit(r.status ?? 1);
  }
  console.log(`== ${name} ok in ${secs}s`);
}

const bun = process.execPath;
step("typecheck", [bun, "x", "tsc", "--noEmit", "-p", "."]);
step("build", [bun, "scripts/build.ts"]);
step("tests", [bun, "test", ...process.argv.slice(2)]);
