// What WeChat says became of a refund, applied to our state: the refund row, and the order once every payment
// it received is either kept (the order's own) or returned. Runs in the caller's transaction, order row locked.
import { eq } from "drizzle-orm";

import { orderEvents, orders, refunds } from "@wxpay/db";

import type { Logger } from "../log";
import type { Tx } from "../payments/apply-payment";
import { statusFromPayments } from "./status-from-payments";

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

  if (r.status === "CHANGE") {
    // WeChat: CHANGE (退款异常) — the money could not be returned to the payer's account.
    log.alert("refund could not reach the payer (CHANGE); resolve it on the merchant platform", {
      orderId: order.id,
      outRefundNo: r.outRefundNo,
    });
  }
  // Whatever the refund's end, the order is what all its payments now say (a refund that closes or fails does not
  // hide a second payment that arrived meanwhile).
  const next = await statusFromPayments(tx, order);
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
