// The console's order list: search by order id, out_trade_no, transaction_id or customer, filter by status, channel,
// API version and creation date, newest first with keyset pagination on (created_at, id). Every filter is a column of
// `orders` with its own (x, created_at, id) index — the channel and API version are the order's latest attempt's,
// kept by a trigger — so each page is one index range scan, as fast on page 1000 as on page 1, at a million orders.
import { and, desc, eq, gte, inArray, lt, or, sql } from "drizzle-orm";
import type { SQL } from "drizzle-orm";

import { orders, paymentAttempts } from "@wxpay/db";
import type { TOrderRow } from "@wxpay/db/schema";

import type { CoreDeps } from "../deps";
import type { TApiVersion } from "../gateway/payment-gateway";
import type { TChannel } from "../payments/prepay";

export type TAdminOrderFilter = {
  q?: string;
  status?: TOrderRow["status"];
  channel?: TChannel;
  apiVersion?: TApiVersion;
  /** Inclusive lower bound of created_at. */
  from?: Date;
  /** Exclusive upper bound of created_at. */
  to?: Date;
};

export type TAdminOrderCursor = { createdAt: Date; id: string };

export type TAdminOrderRow = Pick<
  TOrderRow,
  | "id"
  | "customerId"
  | "amountFen"
  | "status"
  | "transactionId"
  | "paidAt"
  | "createdAt"
  | "channel"
  | "apiVersion"
>;

export function adminOrderConditions(f: TAdminOrderFilter, attemptOrderIds: string[] = []): SQL[] {
  const where: SQL[] = [];
  if (f.status) where.push(eq(orders.status, f.status));
  if (f.from) where.push(gte(orders.createdAt, f.from));
  if (f.to) where.push(lt(orders.createdAt, f.to));
  if (f.channel) where.push(eq(orders.channel, f.channel));
  if (f.apiVersion) where.push(eq(orders.apiVersion, f.apiVersion));
  const q = f.q?.trim();
  if (q) {
    // Exact matches only, each an index lookup on orders (the attempts' matches are looked up first, so that the
    // planner can OR indexes instead of scanning every order).
    const match = or(
      eq(orders.id, q),
      eq(orders.customerId, q),
      eq(orders.transactionId, q),
      ...(attemptOrderIds.length > 0 ? [inArray(orders.id, attemptOrderIds)] : []),
    );
    if (match) where.push(match);
  }
  return where;
}

export async function listAdminOrders(
  deps: CoreDeps,
  input: TAdminOrderFilter & { cursor?: TAdminOrderCursor; limit: number },
): Promise<{ rows: TAdminOrderRow[]; next: TAdminOrderCursor | null }> {
  const q = input.q?.trim();
  const attemptOrderIds = q
    ? (
        await deps.db
          .selectDistinct({ orderId: paymentAttempts.orderId })
          .from(paymentAttempts)
          .where(or(eq(paymentAttempts.outTradeNo, q), eq(paymentAttempts.transactionId, q)))
      ).map((r) => r.orderId)
    : [];
  const where = adminOrderConditions(input, attemptOrderIds);
  if (input.cursor) {
    where.push(
      sql`(${orders.createdAt}, ${orders.id}) < (${input.cursor.createdAt.toISOString()}::timestamptz, ${input.cursor.id})`,
    );
  }
  const rows = await deps.db
    .select({
      id: orders.id,
      customerId: orders.customerId,
      amountFen: orders.amountFen,
      status: orders.status,
      transactionId: orders.transactionId,
      paidAt: orders.paidAt,
      createdAt: orders.createdAt,
      channel: orders.channel,
      apiVersion: orders.apiVersion,
    })
    .from(orders)
    .where(and(...where))
    .orderBy(desc(orders.createdAt), desc(orders.id))
    .limit(input.limit + 1);
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  return {
    rows: page,
    next: rows.length > input.limit && last ? { createdAt: last.createdAt, id: last.id } : null,
  };
}
