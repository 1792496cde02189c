// Starts the production build for end-to-end tests: a fresh database of its own (a PostgreSQL database on the
// harness's server, else in-memory PGlite), then `next start` on the given port. Stops with its parent.
import { spawn } from "node:child_process";

import { createTestDatabase } from "@wxpay/testkit/postgres";

const port = process.env.PORT ?? "3000";
const db = await createTestDatabase("web_e2e");
const child = spawn("pnpm", ["exec", "next", "start", "--port", port, "--hostname", "127.0.0.1"], {
  stdio: "inherit",
  env: {
    ...process.env,
    DATABASE_URL: db.url ?? "",
    PGLITE_DATA_DIR: db.url ? "" : "memory://",
  },
});
const stop = () => {
  child.kill("SIGTERM");
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
child.on("exit", async (code) => {
  await db.drop().catch(() => {});
  process.exit(code ?? 0);
});
