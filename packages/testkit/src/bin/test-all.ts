// `pnpm test`: every unit, integration and browser test, with the real components they need.
// 1. Chromium: the system one; installed from Debian when missing and possible; otherwise stop with the command.
// 2. PostgreSQL: DATABASE_URL when set; else a throwaway server (Debian's postgresql installed first when missing
//    and the runner is root); else PGlite — except under CI=true, where a missing server stops the run.
// 3. turbo runs each package's `test` and `test:e2e`; the JSON reports are added up into "N passed, N failed".
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

import { ensureChromium } from "../chromium";
import type { ThrowawayPostgres } from "../postgres";
import { ensurePostgres, startThrowawayPostgres } from "../postgres";
import { summarizeReports } from "../summary";

const root = path.resolve(import.meta.dirname, "../../../..");
const reportDir = path.join(root, ".reports");
fs.rmSync(reportDir, { recursive: true, force: true });
fs.mkdirSync(reportDir, { recursive: true });

const env: NodeJS.ProcessEnv = {
  ...process.env,
  TURBO_TELEMETRY_DISABLED: "1",
  NEXT_TELEMETRY_DISABLED: "1",
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: "1",
  WXPAY_REPORT_DIR: reportDir,
};

const log = (line: string) => console.log(`[test] ${line}`);

let pg: ThrowawayPostgres | undefined;
let child: ReturnType<typeof spawn> | undefined;
const cleanup = () => {
  if (child?.pid && child.exitCode === null) {
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      // already gone
    }
  }
  pg?.stop();
  pg = undefined;
};
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.on(sig, () => {
    cleanup();
    process.exit(130);
  });
}

try {
  env.CHROMIUM_PATH = ensureChromium(log);
  log(`browser: ${env.CHROMIUM_PATH}`);
} catch (err) {
  console.error(`[test] ${(err as Error).message}`);
  process.exit(1);
}

let binDir: string | undefined;
if (!process.env.DATABASE_URL?.trim()) {
  try {
    binDir = ensurePostgres(log);
  } catch (err) {
    console.error(`[test] ${(err as Error).message}`);
    process.exit(1);
  }
}

if (process.env.DATABASE_URL?.trim()) {
  env.WXPAY_TEST_PG_URL = process.env.DATABASE_URL.trim();
  log("database: PostgreSQL from DATABASE_URL (each suite creates its own database there)");
} else if (binDir) {
  const started = Date.now();
  pg = await startThrowawayPostgres();
  env.WXPAY_TEST_PG_URL = pg.url;
  log(
    `database: throwaway PostgreSQL on 127.0.0.1:${pg.port} (pid ${pg.pid}, started in ${Date.now() - started} ms)`,
  );
} else {
  delete env.WXPAY_TEST_PG_URL;
  log(
    "database: no PostgreSQL binaries found; tests use embedded PGlite and PostgreSQL-only suites are skipped",
  );
}
// The apps under test get their database from the harness, never from a developer's shell or .env.
env.DATABASE_URL = "";

const args = [
  "exec",
  "turbo",
  "run",
  "test",
  "test:e2e",
  "--continue",
  "--concurrency=2",
  ...process.argv.slice(2),
];
const code: number = await new Promise((resolve) => {
  child = spawn("pnpm", args, { cwd: root, env, stdio: "inherit", detached: true });
  child.on("exit", (c, signal) => resolve(c ?? (signal ? 1 : 0)));
});
cleanup();

const s = summarizeReports(reportDir);
const failed = s.failed + (code !== 0 && s.failed === 0 ? 1 : 0);
const line = `${s.passed} passed, ${failed} failed${s.skipped ? `, ${s.skipped} skipped` : ""}`;
fs.writeFileSync(path.join(reportDir, "summary.txt"), `${line}\n`);
log(`reports: ${s.files.join(", ") || "none"}`);
console.log(line);
process.exit(code !== 0 || failed > 0 ? 1 : 0);
