import { asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createTestDatabase } from "@wxpay/testkit/postgres";

import type { DbHandle } from "./client";
import { createDbHandle } from "./client";
import { products } from "./schema";

// Runs on a real PostgreSQL server when the test harness provides one, on PGlite otherwise.
describe("database client", () => {
  let handle: DbHandle;
  let dropDatabase: () => Promise<void>;

  beforeAll(async () => {
    const target = await createTestDatabase("db_client");
    dropDatabase = target.drop;
    handle = await createDbHandle({ databaseUrl: target.url, pgliteDataDir: "memory://" });
    await handle.migrate();
  });
  afterAll(async () => {
    await handle.close();
    await dropDatabase();
  });

  it("uses the driver the environment asks for", () => {
    expect(handle.driver).toBe(process.env.WXPAY_TEST_PG_URL ? "postgres" : "pglite");
  });

  it("applies the committed migrations, seeding the catalog in integer fen", async () => {
    const rows = await handle.db.select().from(products).orderBy(asc(products.sortOrder));
    expect(rows.map((r) => r.sku)).toEqual([
      "TEA-LONGJING",
      "TEA-PUER",
      "CUP-CELADON",
      "SNACK-MOONCAKE",
      "TEST-1FEN",
    ]);
    for (const r of rows) expect(Number.isInteger(r.priceFen) && r.priceFen > 0).toBe(true);
    const health = await handle.health();
    expect(health.ok).toBe(true);
    expect(health.migrations.applied).toBe(health.migrations.expected);
  });

  it("running the migrations again changes nothing", async () => {
    await handle.migrate();
    expect((await handle.db.select().from(products)).length).toBe(5);
  });

  it("rejects a zero or negative price by constraint", async () => {
    await expect(
      handle.db.insert(products).values({ sku: "BAD-PRICE", title: "x", priceFen: 0 }),
    ).rejects.toThrow();
    expect(await handle.db.select().from(products).where(eq(products.sku, "BAD-PRICE"))).toEqual([]);
  });
});
