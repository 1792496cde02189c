// Refunds whose notify never came: ask WeChat (refundquery, signed reply) and apply what it says through the
// refund notify's own transition. Claimed with FOR UPDATE SKIP LOCKED, so instances never query one twice.
import { and, asc, eq, isNotNull, lte } from "drizzle-orm";

import { paymentAttempts, refunds } from "@wxpay/db";

import type { CoreDeps } from "../deps";
import { applyRefundResult } from "./apply-refund-result";

/** A refund is first looked at this long after it was requested or last checked. */
export const REFUND_CHECK_AFTER_MS = 5 * 60_000;

export async function syncPendingRefunds(
  deps: CoreDeps,
  opts: { limit?: number } = {},
): Promise<{ checked: number; settled: number }> {
  const now = deps.now();
  const due = await deps.db.transaction(async (tx) => {
    const rows = await tx
      .select({ outRefundNo: refunds.outRefundNo, appid: paymentAttempts.appid })
      .from(refunds)
      .innerJoin(paymentAttempts, eq(paymentAttempts.id, refunds.attemptId))
      .where(
        and(
          eq(refunds.status, "REQUESTED"),
          // Accepted by WeChat; a request it never accepted is re-sent by the operator's refund command.
          isNotNull(refunds.refundId),
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
      const q = await deps.pay.refundQuery({ outRefundNo: r.outRefundNo, appId: r.appid });
      const item = q.refunds.find((x) => x.outRefundNo === r.outRefundNo);
      if (!item || item.refundStatus === "PROCESSING") continue;
      const status = item.refundStatus;
      const applied = await deps.db.transaction((tx) =>
        applyRefundResult(
          tx,
          {
            outRefundNo: r.outRefundNo,
            status,
            refundId: item.refundId,
            ...(item.refundSuccessAt ? { succeededAt: item.refundSuccessAt } : {}),
            source: "refundquery",
          },
          deps.now(),
          deps.log,
        ),
      );
      if (applied.applied) settled += 1;
    } catch (err) {
      deps.log.warn("refundquery failed; will try again", { outRefundNo: r.outRefundNo, error: String(err) });
    }
  }
  return { checked: due.length, settled };
}
