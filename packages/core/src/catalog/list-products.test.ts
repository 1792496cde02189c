import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { DbHandle } from "@wxpay/db";
import { createDbHandle, products } from "@wxpay/db";
import { createTestDatabase } from "@wxpay/testkit/postgres";

import { listProducts } from "./list-products";

describe("listProducts", () => {
  let handle: DbHandle;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const target = await createTestDatabase("core_catalog");
    drop = target.drop;
    handle = await createDbHandle({ databaseUrl: target.url, pgliteDataDir: "memory://" });
    await handle.migrate();
  });
  afterAll(async () => {
    await handle.close();
    await drop();
  });

  it("lists only active products, in display order, with integer fen prices", async () => {
    await handle.db.update(products).set({ active: false }).where(eq(products.sku, "TEA-PUER"));
    const list = await listProducts({ db: handle.db });
    expect(list.map((p) => p.sku)).toEqual(["TEA-LONGJING", "CUP-CELADON", "SNACK-MOONCAKE", "TEST-1FEN"]);
    expect(list[0]).toEqual({
      sku: "TEA-LONGJING",
      title: "西湖龙井 50g",
      description: "明前特级，清香回甘",
      priceFen: 12800,
    });
  });
});
