// Starts the production build for end-to-end tests on a fresh PostgreSQL database: the harness's server
// (WXPAY_TEST_PG_URL), else a throwaway server of its own when the binaries exist, else in-memory PGlite.
// Then the production server (shop-server.mjs: Next plus the direct notify and tRPC paths) on the given port. Writes the database URL to WXPAY_E2E_DB_FILE for the tests. Stops with
// its parent.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

import type { ThrowawayPostgres } from "@wxpay/testkit/postgres";
import { createTestDatabase, findPostgresBinDir, startThrowawayPostgres } from "@wxpay/testkit/postgres";

const port = process.env.PORT ?? "3000";
let server: ThrowawayPostgres | undefined;
if (!process.env.WXPAY_TEST_PG_URL && findPostgresBinDir()) {
  server = await startThrowawayPostgres();
  process.env.WXPAY_TEST_PG_URL = server.url;
}
const db = await createTestDatabase("web_e2e");
const dbFile = process.env.WXPAY_E2E_DB_FILE;
if (dbFile) fs.writeFileSync(dbFile, db.url ?? "");
console.log(`[e2e] database: ${db.url ? "PostgreSQL" : "PGlite (in memory)"}`);

const child = spawn(process.execPath, [path.join(import.meta.dirname, "../shop-server.mjs")], {
  stdio: "inherit",
  env: {
    ...process.env,
    PORT: port,
    HOSTNAME: "127.0.0.1",
    DATABASE_URL: db.url ?? "",
    PGLITE_DATA_DIR: db.url ? "" : "memory://",
  },
});
const stop = () => {
  child.kill("SIGTERM");
  // The server may wait on requests in flight: do not let that outlast Playwright's grace period, or this
  // process is killed before it stops its own PostgreSQL.
  setTimeout(() => child.kill("SIGKILL"), 5000).unref();
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
child.on("exit", async (code) => {
  await db.drop().catch(() => {});
  server?.stop();
  if (dbFile) fs.rmSync(dbFile, { force: true });
  process.exit(code ?? 0);
});
