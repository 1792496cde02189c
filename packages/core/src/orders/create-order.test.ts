// createOrder's one statement (pricing, customer, order, CREATED event) on the test database: PostgreSQL under the
// with-postgres wrapper, PGlite (the `pnpm dev` default) without it.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { rowsOf } from "@wxpay/db";

import type { CoreDeps } from "../deps";
import type { TTestCore } from "../testing";
import { createTestCore } from "../testing";
import { createOrder } from "./create-order";

let core: TTestCore;
let seq = 0;
/** A customer id of the session format, new for each scenario. */
const newCustomer = () => `c_createorder${String(++seq).padStart(9, "0")}`;

beforeAll(async () => {
  core = await createTestCore({ label: "core_create_order", wechatBase: "http://127.0.0.1:9" });
  await core.deps.db.execute(sql`
    insert into products (sku, title, price_fen, active) values
      ('T-RETIRED', '下架的茶', 500, false),
      ('T-GOLD', '金茶', 2000000000, true)`);
});
afterAll(async () => {
  await core.close();
});

const count = async (text: ReturnType<typeof sql>) =>
  rowsOf<{ n: number }>(await core.deps.db.execute(text))[0]?.n ?? -1;
/** What a customer has in the database: customer rows, orders, CREATED events. */
const footprint = async (customerId: string) => ({
  customers: await count(sql`select count(*)::int as n from customers where id = ${customerId}`),
  orders: await count(sql`select count(*)::int as n from orders where customer_id = ${customerId}`),
  events: await count(sql`
    select count(*)::int as n from order_events e join orders o on o.id = e.order_id where o.customer_id = ${customerId}`),
});

describe("createOrder", () => {
  it("prices the items from the catalog in fen and writes the customer, the order and one CREATED event", async () => {
    const customerId = newCustomer();
    const r = await createOrder(core.deps, {
      customerId,
      items: [
        { sku: "TEA-PUER", qty: 2 },
        { sku: "CUP-CELADON", qty: 1 },
        { sku: "TEA-PUER", qty: 1 },
      ],
    });
    expect(r.amountFen).toBe(26800 * 3 + 5900);
    expect(r.status).toBe("PENDING");
    const [order] = rowsOf<{ items: unknown; amountFen: number; status: string; expiresAt: string | Date }>(
      await core.deps.db.execute(sql`
        select items, amount_fen as "amountFen", status, expires_at as "expiresAt" from orders where id = ${r.orderId}`),
    );
    // The items in the order the shopper named them (a repeated SKU counted once), with the catalog's title and price.
    expect(order?.items).toEqual([
      { sku: "TEA-PUER", title: "云南普洱熟茶饼 357g", qty: 3, priceFen: 26800 },
      { sku: "CUP-CELADON", title: "龙泉青瓷品茗杯", qty: 1, priceFen: 5900 },
    ]);
    expect(order?.amountFen).toBe(r.amountFen);
    expect(new Date(order?.expiresAt ?? 0).getTime()).toBe(r.expiresAt.getTime());
    const events = rowsOf<{ type: string; source: string; data: unknown }>(
      await core.deps.db.execute(
        sql`select type, source, data from order_events where order_id = ${r.orderId}`,
      ),
    );
    expect(events).toEqual([
      { type: "CREATED", source: "shop", data: { amountFen: r.amountFen, items: order?.items } },
    ]);
    expect(await footprint(customerId)).toEqual({ customers: 1, orders: 1, events: 1 });
  });

  it("an unknown or retired SKU among known ones: UNKNOWN_SKU naming the first, and nothing is written", async () => {
    const customerId = newCustomer();
    await expect(
      createOrder(core.deps, {
        customerId,
        items: [
          { sku: "TEA-PUER", qty: 1 },
          { sku: "T-RETIRED", qty: 1 },
          { sku: "NO-SUCH", qty: 1 },
        ],
      }),
    ).rejects.toMatchObject({ code: "UNKNOWN_SKU", message: "商品不存在或已下架：T-RETIRED" });
    expect(await footprint(customerId)).toEqual({ customers: 0, orders: 0, events: 0 });
  });

  it("an amount beyond the integer column: BAD_INPUT, and nothing is written", async () => {
    const customerId = newCustomer();
    await expect(
      createOrder(core.deps, { customerId, items: [{ sku: "T-GOLD", qty: 2 }] }),
    ).rejects.toMatchObject({ code: "BAD_INPUT" });
    expect(await footprint(customerId)).toEqual({ customers: 0, orders: 0, events: 0 });
  });

  it("with a cap of 2 open orders: the third is refused and leaves nothing behind; another customer is not affected", async () => {
    const capped: CoreDeps = { ...core.deps, config: { ...core.deps.config, maxOpenOrdersPerCustomer: 2 } };
    const customerId = newCustomer();
    const order = () => createOrder(capped, { customerId, items: [{ sku: "TEST-1FEN", qty: 1 }] });
    await order();
    await order();
    await expect(order()).rejects.toMatchObject({ code: "TOO_MANY_OPEN_ORDERS" });
    expect(await footprint(customerId)).toEqual({ customers: 1, orders: 2, events: 2 });
    // A refused first order of a new customer writes no customer row either.
    const other = newCustomer();
    await expect(
      createOrder(capped, { customerId: other, items: [{ sku: "NO-SUCH", qty: 1 }] }),
    ).rejects.toMatchObject({ code: "UNKNOWN_SKU" });
    expect(await footprint(other)).toEqual({ customers: 0, orders: 0, events: 0 });
    await createOrder(capped, { customerId: other, items: [{ sku: "TEST-1FEN", qty: 1 }] });
    expect(await footprint(other)).toEqual({ customers: 1, orders: 1, events: 1 });
  });

  it("with a cap, concurrent first orders of a new customer never exceed it", async () => {
    const capped: CoreDeps = { ...core.deps, config: { ...core.deps.config, maxOpenOrdersPerCustomer: 3 } };
    const customerId = newCustomer();
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, () =>
        createOrder(capped, { customerId, items: [{ sku: "TEST-1FEN", qty: 1 }] }),
      ),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(3);
    for (const r of results.filter((x) => x.status === "rejected"))
      expect((r as PromiseRejectedResult).reason).toMatchObject({ code: "TOO_MANY_OPEN_ORDERS" });
    expect(await footprint(customerId)).toEqual({ customers: 1, orders: 3, events: 3 });
  });
});
