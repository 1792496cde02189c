import { sql } from "drizzle-orm";

import { rowsOf } from "@wxpay/db";
import type { TOrderRow } from "@wxpay/db/schema";

import type { CoreDeps } from "../deps";
import { CoreError } from "../errors";
import { newOrderId } from "../ids";
import { rememberCreatedOrder } from "./recent-orders";

export type TCreateOrderInput = { customerId: string; items: readonly { sku: string; qty: number }[] };
export type TCreateOrderResult = { orderId: string; amountFen: number; status: "PENDING"; expiresAt: Date };

// integer column: one order can not exceed 2^31-1 fen (≈ ¥21.47 M).
const MAX_ORDER_FEN = 2_147_483_647;

/**
 * Creates a PENDING order for the session's customer. The amount is computed here from the catalog's prices in
 * integer fen; the client only names SKUs and quantities. A customer with maxOpenOrdersPerCustomer unpaid,
 * unexpired orders gets TOO_MANY_OPEN_ORDERS: unpaid orders cost a unifiedorder each and clutter the books.
 * Round trips: one statement without a cap; with one, BEGIN, the customer's lock, the same statement, COMMIT.
 */
export async function createOrder(deps: CoreDeps, input: TCreateOrderInput): Promise<TCreateOrderResult> {
  const qtyBySku = new Map<string, number>();
  for (const item of input.items) {
    if (!Number.isSafeInteger(item.qty) || item.qty < 1) throw new CoreError("BAD_INPUT", "数量无效");
    qtyBySku.set(item.sku, (qtyBySku.get(item.sku) ?? 0) + item.qty);
  }
  if (qtyBySku.size === 0) throw new CoreError("BAD_INPUT", "订单为空");

  const now = deps.now();
  const orderId = newOrderId();
  const expiresAt = new Date(now.getTime() + deps.config.orderTtlMs);
  const cap = deps.config.maxOpenOrdersPerCustomer;
  const order: TNewOrder = { orderId, customerId: input.customerId, qtyBySku, cap, now, expiresAt };
  const outcome =
    cap === 0
      ? await insertPricedOrder(deps.db, order)
      : await deps.db.transaction(async (tx) => {
          // The customer's row is the lock (inserted if new): two concurrent orders of one customer are counted one
          // after the other. The count is in the next statement, so it sees what the one before committed.
          await tx.execute(sql`
            insert into customers (id) values (${input.customerId})
            on conflict (id) do update set id = excluded.id where false`);
          const r = await insertPricedOrder(tx, order);
          // A refusal rolls the transaction back: nothing stays behind, the customer's row included.
          if (!r.created) throw refusal(r, cap);
          return r;
        });
  if (!outcome.created) throw refusal(outcome, cap);
  // Committed: the shopper's prepay, next, need not read it back.
  rememberCreatedOrder(
    deps.db,
    {
      id: orderId,
      customerId: input.customerId,
      items: outcome.items,
      amountFen: outcome.amountFen,
      expiresAt,
    },
    now,
  );
  return { orderId, amountFen: outcome.amountFen, status: "PENDING", expiresAt };
}

type TNewOrder = {
  orderId: string;
  customerId: string;
  qtyBySku: Map<string, number>;
  cap: number;
  now: Date;
  expiresAt: Date;
};
type TOutcome =
  | { created: true; amountFen: number; items: TOrderRow["items"] }
  | { created: false; missingSku: string | null; amountOk: boolean };

function refusal(o: Extract<TOutcome, { created: false }>, cap: number): CoreError {
  if (o.missingSku !== null) return new CoreError("UNKNOWN_SKU", `商品不存在或已下架：${o.missingSku}`);
  if (!o.amountOk) return new CoreError("BAD_INPUT", "订单金额超出范围");
  return new CoreError(
    "TOO_MANY_OPEN_ORDERS",
    `未支付的订单已有 ${cap} 笔，请先支付或等待其自动关闭后再下单`,
  );
}

/**
 * Prices the items from the catalog (active products only, integer fen) and writes the customer, the order and its
 * CREATED event — all in one statement, and only when every SKU is on sale, the amount fits and (with a cap) the
 * customer has fewer than `cap` open orders. Otherwise nothing is written and the row says why.
 */
async function insertPricedOrder(db: Pick<CoreDeps["db"], "execute">, o: TNewOrder): Promise<TOutcome> {
  const wanted = JSON.stringify([...o.qtyBySku].map(([sku, qty]) => ({ sku, qty })));
  // Same text every time (only parameters vary), so postgres.js prepares it once per connection.
  const res = await db.execute(sql`
    with wanted as (
      select e.n, e.v ->> 'sku' as sku, (e.v ->> 'qty')::numeric as qty
        from jsonb_array_elements(${wanted}::jsonb) with ordinality as e(v, n)
    ), priced as (
      select w.n, w.sku, w.qty, p.title, p.price_fen
        from wanted w join products p on p.sku = w.sku and p.active
    ), total as (
      select count(*)::int as found, coalesce(sum(price_fen::numeric * qty), 0) as amount,
             jsonb_agg(jsonb_build_object('sku', sku, 'title', title, 'qty', qty, 'priceFen', price_fen) order by n)
               as items
        from priced
    ), created as (
      insert into orders (id, customer_id, items, amount_fen, status, expires_at, created_at, updated_at)
      select ${o.orderId}, ${o.customerId}, t.items, t.amount::int, 'PENDING', ${o.expiresAt.toISOString()}::timestamptz,
             ${o.now.toISOString()}::timestamptz, ${o.now.toISOString()}::timestamptz
        from total t
       where t.found = ${o.qtyBySku.size}::int and t.amount > 0 and t.amount <= ${MAX_ORDER_FEN}::int
         and (${o.cap}::int = 0
              or (select count(*) from orders x
                   where x.customer_id = ${o.customerId} and x.status = 'PENDING'
                     and x.expires_at > ${o.now.toISOString()}::timestamptz) < ${o.cap}::int)
      returning id, amount_fen, items
    ), customer as (
      insert into customers (id) select ${o.customerId} where exists (select 1 from created)
      on conflict do nothing
    ), event as (
      insert into order_events (order_id, type, source, data)
      select c.id, 'CREATED', 'shop', jsonb_build_object('amountFen', c.amount_fen, 'items', c.items) from created c
    )
    select (select amount_fen from created) as "amountFen", (select items from created) as items,
           (select w.sku from wanted w where not exists (select 1 from priced p where p.n = w.n) order by w.n limit 1)
             as "missingSku",
           (select amount > 0 and amount <= ${MAX_ORDER_FEN}::int from total) as "amountOk"`);
  const [row] = rowsOf<{
    amountFen: number | null;
    items: TOrderRow["items"] | null;
    missingSku: string | null;
    amountOk: boolean;
  }>(res);
  if (!row) throw new Error("order insert returned nothing");
  if (row.amountFen !== null) return { created: true, amountFen: row.amountFen, items: row.items ?? [] };
  return { created: false, missingSku: row.missingSku, amountOk: row.amountOk };
}
