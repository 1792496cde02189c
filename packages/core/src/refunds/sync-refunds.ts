// Refunds whose notify never came, or whose request never got a trustworthy answer: ask WeChat (refundquery, signed
// reply) and apply what it says through the refund notify's own transition; a refund WeChat never heard of is
// re-sent with its own out_refund_no. Claimed with FOR UPDATE SKIP LOCKED, so instances never take one twice.
import { and, asc, eq, lte } from "drizzle-orm";

import { paymentAttempts, refunds } from "@wxpay/db";

import type { CoreDeps } from "../deps";
import { gatewayFor } from "../gateway/payment-gateway";
import { recordRefundFact } from "./import-refund";
import { sendRefund } from "./send-refund";

/** A refund is first looked at this long after it was requested or last checked. */
export const REFUND_CHECK_AFTER_MS = 5 * 60_000;

export async function syncPendingRefunds(
  deps: CoreDeps,
  opts: { limit?: number } = {},
): Promise<{ checked: number; settled: number }> {
  const now = deps.now();
  const due = await deps.db.transaction(async (tx) => {
    const rows = await tx
      .select({
        outRefundNo: refunds.outRefundNo,
        orderId: refunds.orderId,
        refundId: refunds.refundId,
        refundFeeFen: refunds.refundFeeFen,
        reason: refunds.reason,
        apiVersion: refunds.apiVersion,
        outTradeNo: paymentAttempts.outTradeNo,
        appid: paymentAttempts.appid,
        amountFen: paymentAttempts.amountFen,
      })
      .from(refunds)
      .innerJoin(paymentAttempts, eq(paymentAttempts.id, refunds.attemptId))
      .where(
        and(
          eq(refunds.status, "REQUESTED"),
          lte(refunds.updatedAt, new Date(now.getTime() - REFUND_CHECK_AFTER_MS)),
        ),
      )
      .orderBy(asc(refunds.updatedAt))
      .limit(opts.limit ?? 50)
      .for("update", { of: refunds, skipLocked: true });
    for (const r of rows) {
      await tx.update(refunds).set({ updatedAt: now }).where(eq(refunds.outRefundNo, r.outRefundNo));
    }
    return rows;
  });
  let settled = 0;
  for (const r of due) {
    try {
      const q = await gatewayFor(deps, r.apiVersion).queryRefund({
        outRefundNo: r.outRefundNo,
        appId: r.appid,
      });
      if (!q.found) {
        // Unknown to WeChat: the request never got through; re-send it unchanged (same out_refund_no).
        if (r.refundId === null && deps.config.refundsEnabled) await sendRefund(deps, r, r);
        continue;
      }
      const item = q.refunds.find((x) => x.outRefundNo === r.outRefundNo);
      if (!item) continue;
      const status = item.refundStatus;
      if (status === "PROCESSING") {
        if (r.refundId === null) {
          await deps.db
            .update(refunds)
            .set({ refundId: item.refundId, lastError: null })
            .where(eq(refunds.outRefundNo, r.outRefundNo));
        }
        continue;
      }
      // The same check as a refund notify's; refunds of this payment started elsewhere are imported on the way.
      const outcome = await deps.db.transaction(async (tx) => {
        const mine = await recordRefundFact(
          tx,
          {
            outRefundNo: r.outRefundNo,
            refundId: item.refundId,
            outTradeNo: q.outTradeNo,
            transactionId: q.transactionId,
            totalFeeFen: q.totalFeeFen,
            refundFeeFen: item.refundFeeFen,
            status,
            ...(item.refundSuccessAt ? { succeededAt: item.refundSuccessAt } : {}),
            source: "refundquery",
          },
          deps.now(),
          deps.log,
        );
        for (const other of q.refunds) {
          if (other.outRefundNo === r.outRefundNo || other.refundStatus === "PROCESSING") continue;
          const [known] = await tx
            .select({ outRefundNo: refunds.outRefundNo })
            .from(refunds)
            .where(eq(refunds.outRefundNo, other.outRefundNo));
          if (known) continue;
          await recordRefundFact(
            tx,
            {
              outRefundNo: other.outRefundNo,
              refundId: other.refundId,
              outTradeNo: q.outTradeNo,
              transactionId: q.transactionId,
              totalFeeFen: q.totalFeeFen,
              refundFeeFen: other.refundFeeFen,
              status: other.refundStatus,
              ...(other.refundSuccessAt ? { succeededAt: other.refundSuccessAt } : {}),
              source: "refundquery",
            },
            deps.now(),
            deps.log,
          );
        }
        return mine;
      });
      if (outcome.kind === "applied") settled += 1;
    } catch (err) {
      deps.log.warn("refundquery failed; will try again", { outRefundNo: r.outRefundNo, error: String(err) });
    }
  }
  return { checked: due.length, settled };
}
