// `npm run build`: compile the server (with the dashboard embedded) into dist/etcbun, a single
// executable that runs on a machine without Bun.
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";

mkdirSync("dist", { recursive: true });
const r = spawnSync(
  process.execPath,
  ["build", "--compile", "--minify", "server/main.ts", "--outfile", "dist/etcbun"],
  { stdio: "inherit" },
);
if (r.status !== 0) process.exit(r.status ?? 1);
console.log("built dist/etcbun");
