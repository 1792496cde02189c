// Runs a command with WXPAY_TEST_PG_URL pointing at a throwaway PostgreSQL server, then stops the server:
//   pnpm exec tsx packages/testkit/src/bin/with-postgres.ts -- pnpm --filter @wxpay/api test
import { spawn } from "node:child_process";

import { startThrowawayPostgres } from "../postgres";

const args = process.argv.slice(2).filter((a, i) => !(i === 0 && a === "--"));
const [cmd, ...rest] = args;
if (!cmd) {
  console.error("usage: with-postgres <command> [args…]");
  process.exit(2);
}
const pg = await startThrowawayPostgres();
const code: number = await new Promise((resolve) => {
  const child = spawn(cmd, rest, { stdio: "inherit", env: { ...process.env, WXPAY_TEST_PG_URL: pg.url } });
  child.on("exit", (c) => resolve(c ?? 1));
});
pg.stop();
process.exit(code);
