// The notify inbox across orders: failing verdicts first (anything but APPLIED and DUPLICATE), newest first within.
import { desc, sql } from "drizzle-orm";

import { paymentAttempts, paymentNotifications } from "@wxpay/db";

import type { CoreDeps } from "../deps";

export const OK_VERDICTS = ["APPLIED", "DUPLICATE"] as const;

export async function listNotifications(deps: CoreDeps, input: { limit: number; failingOnly?: boolean }) {
  const failing = sql`${paymentNotifications.verdict} not in ('APPLIED', 'DUPLICATE')`;
  return deps.db
    .select({
      id: paymentNotifications.id,
      receivedAt: paymentNotifications.receivedAt,
      remoteAddr: paymentNotifications.remoteAddr,
      verdict: paymentNotifications.verdict,
      detail: paymentNotifications.detail,
      outTradeNo: paymentNotifications.outTradeNo,
      transactionId: paymentNotifications.transactionId,
      reply: paymentNotifications.reply,
      bodyBytes: paymentNotifications.bodyBytes,
      orderId: paymentAttempts.orderId,
    })
    .from(paymentNotifications)
    .leftJoin(paymentAttempts, sql`${paymentAttempts.id} = ${paymentNotifications.attemptId}`)
    .where(input.failingOnly ? failing : undefined)
    .orderBy(sql`(${failing}) desc`, desc(paymentNotifications.id))
    .limit(input.limit);
}
