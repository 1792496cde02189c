// The database crashing under a process that is inside transactions must fail those transactions, not the process.
// Unpatched postgres.js 3.4.9 throws "Cannot read properties of null (reading 'write')" from a timer callback
// (porsager/postgres#1208) and the process dies; packages/db/patches/postgres@3.4.9.patch settles the queries instead.
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { ThrowawayPostgres } from "@wxpay/testkit/postgres";
import { requirePostgres, startThrowawayPostgres } from "@wxpay/testkit/postgres";

import { runDbCrashProbe } from "../src/db-crash-probe";

// Under CI=true a machine without PostgreSQL fails this suite instead of skipping it.
const hasPostgres = requirePostgres("a database crash under postgres.js");

describe.runIf(hasPostgres)("a database crash under postgres.js", () => {
  let pg: ThrowawayPostgres;
  beforeAll(async () => {
    pg = await startThrowawayPostgres();
  });
  afterAll(() => pg.stop());

  it("fails the open transactions with catchable errors, keeps the process alive, and works again after the restart", async () => {
    // The unpatched driver died on the first crash in every trial; three in a row leave no room for luck.
    for (let round = 1; round <= 3; round++) {
      const r = await runDbCrashProbe(pg);
      expect(r.stderr, `round ${round}`).not.toMatch(/TypeError|uncaught/i);
      expect(r.survived, `round ${round}: ${r.summary}`).toBe(true);
      expect(r.failedTransactions, `round ${round}`).toBeGreaterThan(0);
      expect(r.recovered, `round ${round}: ${r.summary}`).toBe(true);
    }
  });
});
