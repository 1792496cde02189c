// The console's refunds page: every refund, the shop's and those learnt from WeChat, newest first, keyset on
// (created_at, out_refund_no) — an index range scan per page.
import { desc, eq, sql } from "drizzle-orm";

import { paymentAttempts, refunds } from "@wxpay/db";
import type { TRefundRow } from "@wxpay/db/schema";

import type { CoreDeps } from "../deps";

export type TRefundCursor = { createdAt: Date; outRefundNo: string };
export type TRefundListRow = Pick<
  TRefundRow,
  | "outRefundNo"
  | "orderId"
  | "refundFeeFen"
  | "status"
  | "origin"
  | "reason"
  | "apiVersion"
  | "createdAt"
  | "succeededAt"
> & { outTradeNo: string };

export async function listRefunds(
  deps: CoreDeps,
  input: { cursor?: TRefundCursor; limit: number },
): Promise<{ rows: TRefundListRow[]; next: TRefundCursor | null }> {
  const rows = await deps.db
    .select({
      outRefundNo: refunds.outRefundNo,
      orderId: refunds.orderId,
      refundFeeFen: refunds.refundFeeFen,
      status: refunds.status,
      origin: refunds.origin,
      reason: refunds.reason,
      apiVersion: refunds.apiVersion,
      createdAt: refunds.createdAt,
      succeededAt: refunds.succeededAt,
      outTradeNo: paymentAttempts.outTradeNo,
    })
    .from(refunds)
    .innerJoin(paymentAttempts, eq(paymentAttempts.id, refunds.attemptId))
    .where(
      input.cursor
        ? sql`(${refunds.createdAt}, ${refunds.outRefundNo}) < (${input.cursor.createdAt.toISOString()}::timestamptz, ${input.cursor.outRefundNo})`
        : undefined,
    )
    .orderBy(desc(refunds.createdAt), desc(refunds.outRefundNo))
    .limit(input.limit + 1);
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  return {
    rows: page,
    next:
      rows.length > input.limit && last ? { createdAt: last.createdAt, outRefundNo: last.outRefundNo } : null,
  };
}
