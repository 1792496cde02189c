import { and, desc, eq, inArray, isNull, lt, or } from "drizzle-orm";

import { orders, paymentAttempts } from "@wxpay/db";

import type { CoreDeps } from "../deps";
import { syncAttempt } from "../payments/sync-attempt";
import type { TOrderView } from "./order-view";
import { findOwnedOrder, toOrderView } from "./order-view";

/**
 * The owner's view of an order. A pending order with a live attempt is first checked with WeChat (orderquery),
 * at most once per `orderQueryMinIntervalMs` per attempt across all processes, so polling this is how a page
 * learns about a payment whose notify was lost.
 */
export async function getOrderStatus(
  deps: CoreDeps,
  customerId: string,
  orderId: string,
): Promise<TOrderView> {
  const order = await findOwnedOrder(deps, customerId, orderId);
  if (order.status !== "PENDING") return toOrderView(order);

  const now = deps.now();
  const cutoff = new Date(now.getTime() - deps.config.orderQueryMinIntervalMs);
  const live = await deps.db
    .select({ id: paymentAttempts.id })
    .from(paymentAttempts)
    .where(and(eq(paymentAttempts.orderId, orderId), inArray(paymentAttempts.status, ["CREATED", "PREPAID"])))
    .orderBy(desc(paymentAttempts.createdAt))
    .limit(3);
  let asked = false;
  for (const { id } of live) {
    // Claim the right to query with one conditional UPDATE: concurrent pollers and instances do not pile up.
    const [claimed] = await deps.db
      .update(paymentAttempts)
      .set({ lastQueriedAt: now })
      .where(
        and(
          eq(paymentAttempts.id, id),
          or(isNull(paymentAttempts.lastQueriedAt), lt(paymentAttempts.lastQueriedAt, cutoff)),
        ),
      )
      .returning({
        id: paymentAttempts.id,
        outTradeNo: paymentAttempts.outTradeNo,
        appid: paymentAttempts.appid,
        createdAt: paymentAttempts.createdAt,
        apiVersion: paymentAttempts.apiVersion,
      });
    if (!claimed) continue;
    asked = true;
    try {
      await syncAttempt(deps, claimed);
    } catch (err) {
      deps.log.warn("orderquery failed; answering from the database", {
        orderId,
        attemptId: id,
        error: String(err),
      });
    }
  }
  // Nothing asked of WeChat, nothing applied here: the first read stands (one round trip less for every poll).
  if (!asked) return toOrderView(order);
  const [fresh] = await deps.db.select().from(orders).where(eq(orders.id, orderId));
  return toOrderView(fresh ?? order);
}
