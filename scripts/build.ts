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
// The dashboard is bundled into the executable by a macro (dashboard/bundle.ts); report its weight.
const { dashboardGzipBytes } = await import("../server/api/dashboard.ts");
console.log(`dashboard: ${(dashboardGzipBytes() / 1024).toFixed(1)} KiB gzipped (page, script, stylesheet)`);
