// `tsx scripts/reconnect-backoff.ts default|capped`: how long queries wait while PostgreSQL is down, and how soon
// the pool works again after the restart, with postgres.js' default reconnect back-off (shared by the pool's
// connections, growing to 10-20 s) versus a capped one. Evidence for the database client's `backoff` option.
import postgres from "postgres";

import { startThrowawayPostgres } from "@wxpay/testkit/postgres";

import { killPostgres, restartPostgres } from "../src/pg-control";

const mode = process.argv[2] === "capped" ? "capped" : "default";
const pg = await startThrowawayPostgres();
const sql = postgres(pg.url, {
  max: 10,
  onnotice: () => {},
  ...(mode === "capped" ? { backoff: (retries: number) => Math.min(0.05 * 2 ** retries, 1) } : {}),
});
try {
  // Ten open connections, as a busy web process has.
  await Promise.all(Array.from({ length: 10 }, () => sql`select pg_sleep(0.01)`));
  killPostgres(pg);
  const waits: number[] = [];
  const pending: Promise<unknown>[] = [];
  const t0 = Date.now();
  // 20 requests a second for 5 seconds, each needing the database.
  while (Date.now() - t0 < 5000) {
    const t = Date.now();
    pending.push(sql`select 1`.catch(() => undefined).finally(() => waits.push(Date.now() - t)));
    await new Promise((r) => setTimeout(r, 50));
  }
  await Promise.race([Promise.all(pending), new Promise((r) => setTimeout(r, 30_000))]);
  waits.sort((a, b) => a - b);
  console.log(
    `${mode}: ${pending.length} queries while down, ${waits.length} settled within 30 s, p50 ${waits[Math.floor(waits.length / 2)]} ms, max ${waits[waits.length - 1]} ms`,
  );
  restartPostgres(pg);
  const restarted = Date.now();
  for (;;) {
    try {
      await sql`select 1`;
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  console.log(`${mode}: first query answered ${Date.now() - restarted} ms after the restart`);
} finally {
  await sql.end({ timeout: 1 });
  pg.stop();
}
