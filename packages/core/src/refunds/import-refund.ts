// What WeChat tells about a refund, checked against our own records before it is applied: a refund of ours must
// match its row (out_trade_no, transaction_id, amounts); a refund we never asked for — started on the merchant
// platform — is imported as a refund row of origin WECHAT, so the order shows the money that left it.
import { and, eq } from "drizzle-orm";

import { orderEvents, orders, paymentAttempts, refunds } from "@wxpay/db";

import type { Logger } from "../log";
import type { Tx } from "../payments/apply-payment";
import type { TRefundResultStatus } from "./apply-refund-result";
import { applyRefundResult } from "./apply-refund-result";

/** A refund as WeChat reports it (decrypted refund notify, signed refundquery). */
export type TRefundFact = {
  outRefundNo: string;
  refundId: string;
  outTradeNo: string;
  transactionId: string;
  totalFeeFen: number;
  refundFeeFen: number;
  status: TRefundResultStatus;
  succeededAt?: Date;
  /** refund_request_source: API / VENDOR_PLATFORM. */
  requestSource?: string;
  source: "refund_notify" | "refundquery";
};

export type TRecordRefundResult =
  | { kind: "applied" | "duplicate" | "imported"; orderId: string }
  | { kind: "mismatch"; orderId: string; detail: string }
  | { kind: "unknown"; detail: string };

/**
 * What a refund notify's delivery comes to, whichever API version carried it: acknowledged once the fact is recorded
 * (applied, already known, or imported), refused — so WeChat delivers it again — when it contradicts our refund row
 * or names no refund we can place.
 */
export function refundNotifyOutcome(r: TRecordRefundResult): {
  verdict: "APPLIED" | "DUPLICATE" | "IMPORTED" | "MISMATCH" | "UNKNOWN_REFUND";
  acknowledged: boolean;
  message: string;
} {
  switch (r.kind) {
    case "applied":
      return { verdict: "APPLIED", acknowledged: true, message: "OK" };
    case "duplicate":
      return { verdict: "DUPLICATE", acknowledged: true, message: "OK" };
    case "imported":
      return { verdict: "IMPORTED", acknowledged: true, message: "OK" };
    case "mismatch":
      // WeChat delivers it again; the alert stands until someone looks.
      return { verdict: "MISMATCH", acknowledged: false, message: "退款信息不符" };
    default:
      return { verdict: "UNKNOWN_REFUND", acknowledged: false, message: "退款单不存在" };
  }
}

export async function recordRefundFact(
  tx: Tx,
  fact: TRefundFact,
  now: Date,
  log: Logger,
): Promise<TRecordRefundResult> {
  const [ours] = await tx
    .select({ refund: refunds, attempt: paymentAttempts })
    .from(refunds)
    .innerJoin(paymentAttempts, eq(paymentAttempts.id, refunds.attemptId))
    .where(eq(refunds.outRefundNo, fact.outRefundNo));
  if (ours) {
    const { refund, attempt } = ours;
    const differs = [
      attempt.outTradeNo !== fact.outTradeNo && `out_trade_no ${fact.outTradeNo}`,
      attempt.transactionId !== fact.transactionId && `transaction_id ${fact.transactionId}`,
      refund.refundFeeFen !== fact.refundFeeFen &&
        `refund_fee ${fact.refundFeeFen}, ours ${refund.refundFeeFen}`,
      attempt.amountFen !== fact.totalFeeFen && `total_fee ${fact.totalFeeFen}, ours ${attempt.amountFen}`,
    ].filter((x): x is string => typeof x === "string");
    if (differs.length > 0) {
      const detail = differs.join("; ");
      log.alert("refund report does not match our refund row; not applied", {
        orderId: refund.orderId,
        outRefundNo: fact.outRefundNo,
        source: fact.source,
        detail,
      });
      return { kind: "mismatch", orderId: refund.orderId, detail };
    }
    const r = await applyRefundResult(
      tx,
      {
        outRefundNo: fact.outRefundNo,
        status: fact.status,
        refundId: fact.refundId,
        ...(fact.succeededAt ? { succeededAt: fact.succeededAt } : {}),
        source: fact.source,
      },
      now,
      log,
    );
    return { kind: r.applied ? "applied" : "duplicate", orderId: refund.orderId };
  }

  // Not ours: a refund of one of our payments started elsewhere, or nothing we know.
  const [attempt] = await tx
    .select()
    .from(paymentAttempts)
    .where(and(eq(paymentAttempts.outTradeNo, fact.outTradeNo), eq(paymentAttempts.status, "PAID")));
  if (!attempt || attempt.transactionId !== fact.transactionId || attempt.amountFen !== fact.totalFeeFen) {
    log.alert("refund of a payment this shop does not hold", {
      outRefundNo: fact.outRefundNo,
      outTradeNo: fact.outTradeNo,
      transactionId: fact.transactionId,
      source: fact.source,
    });
    return {
      kind: "unknown",
      detail: attempt ? "transaction_id or total_fee differ" : "no such paid attempt",
    };
  }
  await tx.select({ id: orders.id }).from(orders).where(eq(orders.id, attempt.orderId)).for("update");
  await tx.insert(refunds).values({
    outRefundNo: fact.outRefundNo,
    orderId: attempt.orderId,
    attemptId: attempt.id,
    refundFeeFen: fact.refundFeeFen,
    origin: "WECHAT",
    refundId: fact.refundId,
    reason: `started outside this shop (${fact.requestSource ?? "unknown source"})`,
    createdAt: now,
    updatedAt: now,
  });
  await tx.insert(orderEvents).values({
    orderId: attempt.orderId,
    attemptId: attempt.id,
    type: "REFUND_IMPORTED",
    source: fact.source,
    data: {
      outRefundNo: fact.outRefundNo,
      refundId: fact.refundId,
      refundFeeFen: fact.refundFeeFen,
      requestSource: fact.requestSource ?? null,
    },
  });
  log.alert("refund started outside this shop imported", {
    orderId: attempt.orderId,
    outRefundNo: fact.outRefundNo,
    refundFeeFen: fact.refundFeeFen,
  });
  await applyRefundResult(
    tx,
    {
      outRefundNo: fact.outRefundNo,
      status: fact.status,
      refundId: fact.refundId,
      ...(fact.succeededAt ? { succeededAt: fact.succeededAt } : {}),
      source: fact.source,
    },
    now,
    log,
  );
  return { kind: "imported", orderId: attempt.orderId };
}
