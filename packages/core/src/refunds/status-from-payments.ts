// What an order's status is, given every payment it received and every refund of them: the one rule used after any
// refund moves (requested, settled, closed, failed) and after an operator resolves a review, so an order never
// shows less money than it holds.
import { and, desc, eq, gt, inArray } from "drizzle-orm";

import { orderEvents, paymentAttempts, refunds } from "@wxpay/db";
import type { TOrderRow } from "@wxpay/db/schema";

import type { Tx } from "../payments/apply-payment";

/** Anomalies that keep an order in review until an operator has dealt with them. */
export const REVIEW_EVENTS = ["SECOND_TRANSACTION_ID"] as const;

/** The event an operator's resolution writes: the payments it accepted, and the note that says why. */
export const REVIEW_RESOLVED_EVENT = "REVIEW_RESOLVED";

export async function statusFromPayments(
  tx: Tx,
  order: Pick<TOrderRow, "id" | "status" | "paidAttemptId">,
): Promise<TOrderRow["status"]> {
  const paid = await tx
    .select({ id: paymentAttempts.id, amountFen: paymentAttempts.amountFen })
    .from(paymentAttempts)
    .where(and(eq(paymentAttempts.orderId, order.id), eq(paymentAttempts.status, "PAID")));
  // No money received: nothing for refunds to say about this order.
  if (paid.length === 0) return order.status;
  const rows = await tx
    .select({ attemptId: refunds.attemptId, status: refunds.status, refundFeeFen: refunds.refundFeeFen })
    .from(refunds)
    .where(eq(refunds.orderId, order.id));
  const returnedFen = new Map<string, number>();
  const live = new Set<string>();
  for (const r of rows) {
    if (r.status === "SUCCESS")
      returnedFen.set(r.attemptId, (returnedFen.get(r.attemptId) ?? 0) + r.refundFeeFen);
    if (r.status === "REQUESTED" || r.status === "CHANGE") live.add(r.attemptId);
  }
  const kept = paid.filter((p) => (returnedFen.get(p.id) ?? 0) < p.amountFen);
  if (kept.length === 0) return "REFUNDED";

  // An operator's resolution accepts the payments kept at that time and the anomalies recorded before it.
  const [resolved] = await tx
    .select({ id: orderEvents.id, data: orderEvents.data })
    .from(orderEvents)
    .where(and(eq(orderEvents.orderId, order.id), eq(orderEvents.type, REVIEW_RESOLVED_EVENT)))
    .orderBy(desc(orderEvents.id))
    .limit(1);
  const accepted = new Set<string>(
    Array.isArray(resolved?.data.acceptedAttemptIds) ? (resolved.data.acceptedAttemptIds as string[]) : [],
  );
  // Money beyond the order's own payment (a second attempt, money on a closed order) is for an operator.
  if (kept.some((p) => p.id !== order.paidAttemptId && !accepted.has(p.id))) return "PAID_NEEDS_REVIEW";
  const [anomaly] = await tx
    .select({ id: orderEvents.id })
    .from(orderEvents)
    .where(
      and(
        eq(orderEvents.orderId, order.id),
        inArray(orderEvents.type, [...REVIEW_EVENTS]),
        ...(resolved ? [gt(orderEvents.id, resolved.id)] : []),
      ),
    )
    .limit(1);
  if (anomaly) return "PAID_NEEDS_REVIEW";

  const own = paid.find((p) => p.id === order.paidAttemptId);
  // Only accepted extra money is kept (the order's own payment went back, or there never was one).
  if (!own || !kept.includes(own)) return "PAID";
  if (live.has(own.id)) return "REFUNDING";
  return (returnedFen.get(own.id) ?? 0) > 0 ? "PARTLY_REFUNDED" : "PAID";
}
