// Bundles the dashboard (main.tsx + styles.css) into one JS and one CSS string. It is imported
// `with { type: "macro" }` by server/api/dashboard.ts, so it runs when that file is transpiled:
// at `bun build --compile` time the strings are embedded in the executable, and under
// `bun server/main.ts` they are built fresh from source. Bun.build cannot be called from inside
// a macro (the bundler would wait on itself), hence the bun CLI in a child process.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface DashboardBundle {
  js: string;
  css: string;
}

export function bundleDashboard(): DashboardBundle {
  const outDir = mkdtempSync(join(tmpdir(), "etcbun-dashboard-"));
  try {
    const r = Bun.spawnSync(
      [process.execPath, "build", join(import.meta.dir, "main.tsx"), "--target=browser", "--minify", "--outdir", outDir],
      { cwd: join(import.meta.dir, ".."), stderr: "pipe", stdout: "pipe" },
    );
    if (r.exitCode !== 0) throw new Error(`dashboard bundle failed:\n${r.stderr.toString()}${r.stdout.toString()}`);
    const bundle: DashboardBundle = { js: "", css: "" };
    for (const name of readdirSync(outDir).sort()) {
      const text = readFileSync(join(outDir, name), "utf8");
      if (name.endsWith(".css")) bundle.css += text;
      else if (name.endsWith(".js")) bundle.js += text;
    }
    if (!bundle.js) throw new Error("dashboard bundle produced no JavaScript");
    return bundle;
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}
