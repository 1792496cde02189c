// The one transition from "WeChat says this out_trade_no is paid" to order state, shared by the notify and
// by every orderquery answer. It runs inside the caller's transaction and locks the order row, so any number of
// concurrent deliveries for one order are applied one after another and exactly one of them makes it PAID.
import { and, eq, inArray, ne, sql } from "drizzle-orm";

import type { Db } from "@wxpay/db";
import { orderEvents, orders, paymentAttempts } from "@wxpay/db";

import type { Logger } from "../log";

export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

/** A WeChat-authenticated statement that a payment succeeded (a verified notify or a signed orderquery). */
export type TPaymentEvidence = {
  source: "notify" | "orderquery";
  appId: string;
  mchId: string;
  outTradeNo: string;
  /** WeChat's order number, an exact string. */
  transactionId: string;
  totalFeeFen: number;
  feeType: string;
  paidAt: Date;
};

export type TApplyVerdict =
  | "APPLIED"
  | "DUPLICATE"
  | "PAID_NEEDS_REVIEW"
  | "UNKNOWN_ORDER"
  | "AMOUNT_MISMATCH"
  | "WRONG_APPID"
  | "WRONG_MCH_ID";

export type TApplyResult = { verdict: TApplyVerdict; orderId?: string; attemptId?: string; detail?: string };

/** Verdicts under which WeChat may stop delivering: the money is recorded. */
export const ACKNOWLEDGED_VERDICTS: ReadonlySet<string> = new Set(["APPLIED", "DUPLICATE", "PAID_NEEDS_REVIEW", "NOT_SUCCESS"]);

export async function applyPayment(tx: Tx, ev: TPaymentEvidence, now: Date, log: Logger): Promise<TApplyResult> {
  const [found] = await tx
    .select({ id: paymentAttempts.id, orderId: paymentAttempts.orderId })
    .from(paymentAttempts)
    .where(eq(paymentAttempts.outTradeNo, ev.outTradeNo))
    .limit(1);
  if (!found) {
    log.alert("payment for an unknown out_trade_no", { outTradeNo: ev.outTradeNo, transactionId: ev.transactionId, source: ev.source });
    return { verdict: "UNKNOWN_ORDER", detail: "no payment attempt has this out_trade_no" };
  }

  // WeChat: "采用数据锁进行并发控制" — the order row is the lock for everything about this order's money.
  const [order] = await tx.select().from(orders).where(eq(orders.id, found.orderId)).for("update");
  const [attempt] = await tx.select().from(paymentAttempts).where(eq(paymentAttempts.id, found.id));
  if (!order || !attempt) return { verdict: "UNKNOWN_ORDER", detail: "order vanished" };
  const ids = { orderId: order.id, attemptId: attempt.id };

  if (attempt.mchId !== ev.mchId) {
    log.alert("payment for another merchant's order", { ...ids, mchId: ev.mchId });
    return { verdict: "WRONG_MCH_ID", ...ids, detail: `mch_id ${ev.mchId}` };
  }
  if (attempt.appid !== ev.appId) {
    log.alert("payment under another appid than the attempt's", { ...ids, appId: ev.appId });
    return { verdict: "WRONG_APPID", ...ids, detail: `appid ${ev.appId}` };
  }
  // Compare total_fee (the order amount), not cash_fee, which coupons legitimately lower.
  if (ev.totalFeeFen !== attempt.amountFen || ev.feeType !== "CNY") {
    log.alert("payment amount does not match the order", {
      ...ids,
      expectedFen: attempt.amountFen,
      totalFeeFen: ev.totalFeeFen,
      feeType: ev.feeType,
      transactionId: ev.transactionId,
    });
    return { verdict: "AMOUNT_MISMATCH", ...ids, detail: `total_fee ${ev.totalFeeFen} ${ev.feeType}, expected ${attempt.amountFen} CNY` };
  }

  if (attempt.transactionId !== null) {
    if (attempt.transactionId === ev.transactionId) return { verdict: "DUPLICATE", ...ids };
    log.alert("second transaction_id for one out_trade_no", { ...ids, recorded: attempt.transactionId, received: ev.transactionId });
    return { verdict: "PAID_NEEDS_REVIEW", ...ids, detail: "another transaction_id already recorded for this attempt" };
  }

  await tx
    .update(paymentAttempts)
    .set({ status: "PAID", transactionId: ev.transactionId, paidAt: ev.paidAt, nextCheckAt: null, updatedAt: now })
    .where(eq(paymentAttempts.id, attempt.id));

  if (order.status === "PENDING") {
    const paid = await tx
      .update(orders)
      .set({ status: "PAID", paidAttemptId: attempt.id, transactionId: ev.transactionId, paidAt: ev.paidAt, updatedAt: now })
      .where(and(eq(orders.id, order.id), eq(orders.status, "PENDING")))
      .returning({ id: orders.id });
    if (paid.length === 1) {
      // The order's other attempts are still open at WeChat: mark them for closing, as soon as WeChat allows
      // (closeorder is refused within 5 minutes of an order's creation). Money that still lands on one of them
      // meanwhile becomes PAID_NEEDS_REVIEW below.
      await tx
        .update(paymentAttempts)
        .set({
          status: "SUPERSEDED",
          nextCheckAt: sql`greatest(${paymentAttempts.createdAt} + interval '5 minutes', ${now.toISOString()}::timestamptz)`,
          updatedAt: now,
        })
        .where(
          and(
            eq(paymentAttempts.orderId, order.id),
            ne(paymentAttempts.id, attempt.id),
            inArray(paymentAttempts.status, ["CREATED", "PREPAID"]),
          ),
        );
      await tx.insert(orderEvents).values({
        orderId: order.id,
        attemptId: attempt.id,
        type: "PAID",
        source: ev.source,
        data: { transactionId: ev.transactionId, totalFeeFen: ev.totalFeeFen, paidAt: ev.paidAt.toISOString() },
      });
      return { verdict: "APPLIED", ...ids };
    }
  }

  // Real money for an order that is closed, or already paid through another attempt: never drop it.
  const previous = order.status;
  if (previous === "PENDING" || previous === "CLOSED" || previous === "PAID") {
    await tx.update(orders).set({ status: "PAID_NEEDS_REVIEW", updatedAt: now }).where(eq(orders.id, order.id));
  }
  await tx.insert(orderEvents).values({
    orderId: order.id,
    attemptId: attempt.id,
    type: "PAID_NEEDS_REVIEW",
    source: ev.source,
    data: { transactionId: ev.transactionId, totalFeeFen: ev.totalFeeFen, previousStatus: previous },
  });
  log.alert("money arrived for an order that cannot take it; needs review", {
    ...ids,
    previousStatus: previous,
    transactionId: ev.transactionId,
  });
  return { verdict: "PAID_NEEDS_REVIEW", ...ids, detail: `order was ${previous}` };
}
