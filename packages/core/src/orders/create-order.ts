import { and, count, eq, gt, inArray, sql } from "drizzle-orm";

import { customers, orderEvents, orders, products } from "@wxpay/db";
import type { TOrderItemRow } from "@wxpay/db/schema";

import type { CoreDeps } from "../deps";
import { CoreError } from "../errors";
import { newOrderId } from "../ids";

export type TCreateOrderInput = { customerId: string; items: readonly { sku: string; qty: number }[] };
export type TCreateOrderResult = { orderId: string; amountFen: number; status: "PENDING"; expiresAt: Date };

// integer column: one order can not exceed 2^31-1 fen (≈ ¥21.47 M).
const MAX_ORDER_FEN = 2_147_483_647;

/**
 * Creates a PENDING order for the session's customer. The amount is computed here from the catalog's prices in
 * integer fen; the client only names SKUs and quantities. A customer with maxOpenOrdersPerCustomer unpaid,
 * unexpired orders gets TOO_MANY_OPEN_ORDERS: unpaid orders cost a unifiedorder each and clutter the books.
 */
export async function createOrder(deps: CoreDeps, input: TCreateOrderInput): Promise<TCreateOrderResult> {
  const qtyBySku = new Map<string, number>();
  for (const item of input.items) {
    if (!Number.isSafeInteger(item.qty) || item.qty < 1) throw new CoreError("BAD_INPUT", "数量无效");
    qtyBySku.set(item.sku, (qtyBySku.get(item.sku) ?? 0) + item.qty);
  }
  if (qtyBySku.size === 0) throw new CoreError("BAD_INPUT", "订单为空");

  const rows = await deps.db
    .select()
    .from(products)
    .where(and(inArray(products.sku, [...qtyBySku.keys()]), eq(products.active, true)));
  const bySku = new Map(rows.map((r) => [r.sku, r]));
  const items: TOrderItemRow[] = [];
  let amountFen = 0;
  for (const [sku, qty] of qtyBySku) {
    const p = bySku.get(sku);
    if (!p) throw new CoreError("UNKNOWN_SKU", `商品不存在或已下架：${sku}`);
    amountFen += p.priceFen * qty;
    items.push({ sku, title: p.title, qty, priceFen: p.priceFen });
  }
  if (!Number.isSafeInteger(amountFen) || amountFen <= 0 || amountFen > MAX_ORDER_FEN) {
    throw new CoreError("BAD_INPUT", "订单金额超出范围");
  }

  const now = deps.now();
  const orderId = newOrderId();
  const expiresAt = new Date(now.getTime() + deps.config.orderTtlMs);
  const cap = deps.config.maxOpenOrdersPerCustomer;
  if (cap === 0) {
    // No cap to count against: the customer, the order and its CREATED event in one statement (one round trip).
    const eventData = JSON.stringify({ amountFen, items });
    await deps.db.execute(sql`
      with customer as (
        insert into customers (id) values (${input.customerId}) on conflict do nothing
      ), created as (
        insert into orders (id, customer_id, items, amount_fen, status, expires_at, created_at, updated_at)
        values (${orderId}, ${input.customerId}, ${JSON.stringify(items)}::jsonb, ${amountFen}::int, 'PENDING',
                ${expiresAt.toISOString()}::timestamptz, ${now.toISOString()}::timestamptz,
                ${now.toISOString()}::timestamptz)
        returning id
      )
      insert into order_events (order_id, type, source, data)
      select id, 'CREATED', 'shop', ${eventData}::jsonb from created`);
    return { orderId, amountFen, status: "PENDING", expiresAt };
  }
  await deps.db.transaction(async (tx) => {
    await tx.insert(customers).values({ id: input.customerId }).onConflictDoNothing();
    // The customer's row is the lock: two concurrent orders of one customer are counted one after the other (the
    // count is its own statement, so it sees what the one before committed).
    await tx
      .select({ id: customers.id })
      .from(customers)
      .where(eq(customers.id, input.customerId))
      .for("update");
    const [open] = await tx
      .select({ n: count() })
      .from(orders)
      .where(
        and(eq(orders.customerId, input.customerId), eq(orders.status, "PENDING"), gt(orders.expiresAt, now)),
      );
    if ((open?.n ?? 0) >= cap) {
      throw new CoreError(
        "TOO_MANY_OPEN_ORDERS",
        `未支付的订单已有 ${cap} 笔，请先支付或等待其自动关闭后再下单`,
      );
    }
    await tx.insert(orders).values({
      id: orderId,
      customerId: input.customerId,
      items,
      amountFen,
      status: "PENDING",
      expiresAt,
      createdAt: now,
      updatedAt: now,
    });
    await tx
      .insert(orderEvents)
      .values({ orderId, type: "CREATED", source: "shop", data: { amountFen, items } });
  });
  return { orderId, amountFen, status: "PENDING", expiresAt };
}
