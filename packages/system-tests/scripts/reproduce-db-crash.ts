// `tsx scripts/reproduce-db-crash.ts`: kills a throwaway PostgreSQL (pg_ctl stop -m immediate) under a postgres.js
// client that is inside transactions, and reports whether the client process survived. Unpatched postgres.js 3.4.9
// dies with "TypeError: Cannot read properties of null (reading 'write')" (porsager/postgres#1208).
import { startThrowawayPostgres } from "@wxpay/testkit/postgres";

import { runDbCrashProbe } from "../src/db-crash-probe";

const pg = await startThrowawayPostgres();
try {
  const rounds = Number(process.argv[2] ?? 5);
  for (let i = 1; i <= rounds; i++) {
    const r = await runDbCrashProbe(pg);
    console.log(`round ${i}: ${r.survived ? "client survived" : "client DIED"}; ${r.summary}`);
    if (!r.survived) {
      console.log(r.stderr.split("\n").slice(0, 8).join("\n"));
      process.exitCode = 1;
      break;
    }
  }
} finally {
  pg.stop();
}
