// The money invariants live in the schema, not only in code: this proves the committed migrations enforce them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createTestDatabase } from "@wxpay/testkit/postgres";

import type { DbHandle } from "./client";
import { createDbHandle } from "./client";
import { customers, orderEvents, orders, paymentAttempts } from "./schema";

describe("schema constraints", () => {
  let handle: DbHandle;
  let drop: () => Promise<void>;
  const expiresAt = new Date(Date.now() + 3600_000);
  const attempt = (
    id: string,
    outTradeNo: string,
    over: Partial<typeof paymentAttempts.$inferInsert> = {},
  ) => ({
    id,
    orderId: "o_1",
    outTradeNo,
    channel: "h5" as const,
    tradeType: "MWEB",
    appid: "wxd930ea5d5a258f4f",
    mchId: "1230000109",
    signType: "MD5",
    amountFen: 100,
    clientIp: "127.0.0.1",
    requestXml: "<xml></xml>",
    ...over,
  });

  beforeAll(async () => {
    const target = await createTestDatabase("db_constraints");
    drop = target.drop;
    handle = await createDbHandle({ databaseUrl: target.url, pgliteDataDir: "memory://" });
    await handle.migrate();
    await handle.db.insert(customers).values({ id: "c_1" });
    await handle.db
      .insert(orders)
      .values({ id: "o_1", customerId: "c_1", items: [], amountFen: 100, expiresAt });
    await handle.db
      .insert(paymentAttempts)
      .values(attempt("a_1", "OUT1234567", { transactionId: "4200000000000000000000000001" }));
  });
  afterAll(async () => {
    await handle.close();
    await drop();
  });

  it("an order amount must be a positive number of fen, in CNY", async () => {
    await expect(
      handle.db.insert(orders).values({ id: "o_0", customerId: "c_1", items: [], amountFen: 0, expiresAt }),
    ).rejects.toThrow();
    await expect(
      handle.db.insert(orders).values({ id: "o_n", customerId: "c_1", items: [], amountFen: -5, expiresAt }),
    ).rejects.toThrow();
    await expect(
      handle.db
        .insert(orders)
        .values({ id: "o_u", customerId: "c_1", items: [], amountFen: 5, feeType: "USD", expiresAt }),
    ).rejects.toThrow();
  });

  it("an order needs an existing customer", async () => {
    await expect(
      handle.db
        .insert(orders)
        .values({ id: "o_x", customerId: "c_nobody", items: [], amountFen: 5, expiresAt }),
    ).rejects.toThrow();
  });

  it("out_trade_no is unique and in WeChat's charset; transaction_id is unique", async () => {
    await expect(handle.db.insert(paymentAttempts).values(attempt("a_2", "OUT1234567"))).rejects.toThrow();
    await expect(handle.db.insert(paymentAttempts).values(attempt("a_3", "bad out no!"))).rejects.toThrow();
    await expect(handle.db.insert(paymentAttempts).values(attempt("a_4", "SHORT"))).rejects.toThrow();
    await expect(
      handle.db
        .insert(paymentAttempts)
        .values(attempt("a_5", "OUT7654321", { transactionId: "4200000000000000000000000001" })),
    ).rejects.toThrow();
    await expect(
      handle.db.insert(paymentAttempts).values(attempt("a_6", "OUT1111111", { amountFen: 0 })),
    ).rejects.toThrow();
  });

  it("an order has at most one PAID event", async () => {
    await handle.db.insert(orderEvents).values({ orderId: "o_1", type: "PAID", source: "test" });
    await expect(
      handle.db.insert(orderEvents).values({ orderId: "o_1", type: "PAID", source: "test" }),
    ).rejects.toThrow();
    await handle.db.insert(orderEvents).values({ orderId: "o_1", type: "PAID_NEEDS_REVIEW", source: "test" });
  });
});
