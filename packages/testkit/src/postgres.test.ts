import postgres from "postgres";
import { describe, expect, it } from "vitest";

import { createTestDatabase, findPostgresBinDir, startThrowawayPostgres } from "./postgres";

describe("throwaway PostgreSQL", () => {
  it.runIf(findPostgresBinDir() !== undefined)(
    "starts a private server, hands out isolated databases, and stops by its own pid",
    async () => {
      const pg = await startThrowawayPostgres();
      const previous = process.env.WXPAY_TEST_PG_URL;
      process.env.WXPAY_TEST_PG_URL = pg.url;
      try {
        const a = await createTestDatabase("iso");
        const b = await createTestDatabase("iso");
        expect(a.url).not.toBe(b.url);
        const sql = postgres(a.url ?? "", { max: 1 });
        const [row] = await sql<{ v: string }[]>`select current_setting('server_version_num') as v`;
        expect(Number(row?.v)).toBeGreaterThanOrEqual(150000);
        await sql.end();
        await a.drop();
        await b.drop();
      } finally {
        process.env.WXPAY_TEST_PG_URL = previous;
        pg.stop();
      }
      // Stopped: the port refuses connections (a reaped-or-zombie postmaster cannot be told apart by pid here).
      const after = postgres(pg.url, { max: 1, connect_timeout: 2 });
      await expect(after`select 1`).rejects.toThrow();
      await after.end();
    },
  );
});
