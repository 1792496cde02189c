// What WeChat says became of a refund, applied to our state: the refund row, and the order once every payment
// it received is either kept (the order's own) or returned. Runs in the caller's transaction, order row locked.
import { and, eq } from "drizzle-orm";

import { orderEvents, orders, paymentAttempts, refunds } from "@wxpay/db";

import type { Logger } from "../log";
import type { Tx } from "../payments/apply-payment";

export type TRefundResultStatus = "SUCCESS" | "CHANGE" | "REFUNDCLOSE" | "FAILED";

export type TApplyRefundResult = { applied: boolean; orderId?: string; orderStatus?: string };

export async function applyRefundResult(
  tx: Tx,
  r: {
    outRefundNo: string;
    status: TRefundResultStatus;
    refundId?: string;
    succeededAt?: Date;
    source: string;
  },
  now: Date,
  log: Logger,
): Promise<TApplyRefundResult> {
  const [known] = await tx.select().from(refunds).where(eq(refunds.outRefundNo, r.outRefundNo));
  if (!known) return { applied: false };
  const [order] = await tx.select().from(orders).where(eq(orders.id, known.orderId)).for("update");
  const [refund] = await tx.select().from(refunds).where(eq(refunds.outRefundNo, r.outRefundNo));
  if (!order || !refund) return { applied: false };
  // Final states stay final; a repeated notify changes nothing.
  if (
    refund.status === r.status ||
    refund.status === "SUCCESS" ||
    refund.status === "REFUNDCLOSE" ||
    refund.status === "FAILED"
  ) {
    return { applied: false, orderId: order.id, orderStatus: order.status };
  }
  await tx
    .update(refunds)
    .set({
      status: r.status,
      refundId: r.refundId ?? refund.refundId,
      succeededAt: r.status === "SUCCESS" ? (r.succeededAt ?? now) : null,
      updatedAt: now,
    })
    .where(eq(refunds.outRefundNo, r.outRefundNo));

  let next = order.status;
  if (r.status === "SUCCESS") {
    // Every payment the order received, and which of them have come back.
    const paid = await tx
      .select({ id: paymentAttempts.id })
      .from(paymentAttempts)
      .where(and(eq(paymentAttempts.orderId, order.id), eq(paymentAttempts.status, "PAID")));
    const returned = await tx
      .select({ attemptId: refunds.attemptId })
      .from(refunds)
      .where(and(eq(refunds.orderId, order.id), eq(refunds.status, "SUCCESS")));
    const back = new Set(returned.map((x) => x.attemptId));
    const kept = paid.filter((p) => !back.has(p.id)).map((p) => p.id);
    if (kept.length === 0) next = "REFUNDED";
    else if (kept.length === 1 && kept[0] === order.paidAttemptId) next = "PAID";
    else next = "PAID_NEEDS_REVIEW";
  } else if (r.status === "REFUNDCLOSE" || r.status === "FAILED") {
    if (order.status === "REFUNDING") next = "PAID";
  } else {
    // WeChat: CHANGE (退款异常) — the money could not be returned to the payer's account.
    log.alert("refund could not reach the payer (CHANGE); resolve it on the merchant platform", {
      orderId: order.id,
      outRefundNo: r.outRefundNo,
    });
  }
  if (next !== order.status) {
    await tx.update(orders).set({ status: next, updatedAt: now }).where(eq(orders.id, order.id));
  }
  await tx.insert(orderEvents).values({
    orderId: order.id,
    attemptId: refund.attemptId,
    type: `REFUND_${r.status}`,
    source: r.source,
    data: {
      outRefundNo: r.outRefundNo,
      refundId: r.refundId ?? null,
      refundFeeFen: refund.refundFeeFen,
      orderStatus: next,
    },
  });
  return { applied: true, orderId: order.id, orderStatus: next };
}
