// The console's review queue: each PAID_NEEDS_REVIEW order with why it is there and, for the one-click "refund the
// extra payment", every payment other than the order's own with what is left of it to refund.
import { inArray } from "drizzle-orm";

import { paymentAttempts, refunds } from "@wxpay/db";

import type { CoreDeps } from "../deps";
import type { TReviewItem } from "../orders/list-orders-needing-review";
import { listOrdersNeedingReview } from "../orders/list-orders-needing-review";
import type { TRefundable } from "./refundable";
import { refundableOf } from "./refundable";

export type TReviewQueueItem = TReviewItem & { extraPayments: TRefundable[] };

export async function listReviewQueue(deps: CoreDeps): Promise<TReviewQueueItem[]> {
  const items = await listOrdersNeedingReview(deps);
  if (items.length === 0) return [];
  const ids = items.map((o) => o.orderId);
  const attempts = await deps.db.select().from(paymentAttempts).where(inArray(paymentAttempts.orderId, ids));
  const refundRows = await deps.db.select().from(refunds).where(inArray(refunds.orderId, ids));
  return items.map((o) => {
    const own = o.paidAttemptId;
    const mine = attempts.filter((a) => a.orderId === o.orderId && a.id !== own);
    return {
      ...o,
      extraPayments: refundableOf(mine, refundRows).filter((r) => r.leftFen > 0),
    };
  });
}
