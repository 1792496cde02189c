import { asc, eq, inArray } from "drizzle-orm";

import { orderEvents, orders } from "@wxpay/db";

import type { CoreDeps } from "../deps";

export type TReviewItem = {
  orderId: string;
  amountFen: number;
  /** The attempt whose payment the order keeps (null if the order was closed when the money came). */
  paidAttemptId: string | null;
  updatedAt: Date;
  events: { type: string; source: string; data: Record<string, unknown>; createdAt: Date }[];
};

/** Orders where money arrived that the shop could not take as a normal payment: an operator decides (refund). */
export async function listOrdersNeedingReview(deps: Pick<CoreDeps, "db">): Promise<TReviewItem[]> {
  const rows = await deps.db
    .select()
    .from(orders)
    .where(eq(orders.status, "PAID_NEEDS_REVIEW"))
    .orderBy(asc(orders.updatedAt));
  if (rows.length === 0) return [];
  const events = await deps.db
    .select()
    .from(orderEvents)
    .where(
      inArray(
        orderEvents.orderId,
        rows.map((r) => r.id),
      ),
    )
    .orderBy(asc(orderEvents.id));
  return rows.map((o) => ({
    orderId: o.id,
    amountFen: o.amountFen,
    paidAttemptId: o.paidAttemptId,
    updatedAt: o.updatedAt,
    events: events
      .filter((e) => e.orderId === o.id)
      .map((e) => ({ type: e.type, source: e.source, data: e.data, createdAt: e.createdAt })),
  }));
}
