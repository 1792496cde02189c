import postgres from "postgres";
import { describe, expect, it } from "vitest";

import {
  createTestDatabase,
  findPostgresBinDir,
  postgresPlan,
  requirePostgres,
  startThrowawayPostgres,
} from "./postgres";

describe("PostgreSQL for a test run never quietly weakens it", () => {
  it("uses the binaries, else installs Debian's as root, else PGlite — and under CI never skips", () => {
    const bin = "/usr/lib/postgresql/15/bin";
    expect(postgresPlan({ binDir: bin, canInstall: false, ci: true })).toBe("use");
    expect(postgresPlan({ binDir: undefined, canInstall: true, ci: false })).toBe("install");
    expect(postgresPlan({ binDir: undefined, canInstall: true, ci: true })).toBe("install");
    expect(postgresPlan({ binDir: undefined, canInstall: false, ci: false })).toBe("pglite");
    expect(postgresPlan({ binDir: undefined, canInstall: false, ci: true })).toBe("fail");
  });

  it("a suite that needs PostgreSQL runs when it is there and fails under CI=true when it is not", () => {
    if (findPostgresBinDir()) {
      expect(requirePostgres("suite", { CI: "true" })).toBe(true);
    } else {
      expect(() => requirePostgres("suite", { CI: "true" })).toThrow(/CI=true/);
      expect(requirePostgres("suite", {})).toBe(false);
    }
  });
});

describe("throwaway PostgreSQL", () => {
  it.runIf(requirePostgres("throwaway PostgreSQL"))(
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
