// One order as the console shows it: the order, its attempts with the exact request sent and WeChat's answer, every
// notify delivery with its verdict, raw body and reply, its events, refunds and the operators' actions — merged into
// one timeline, oldest first.
import { asc, eq, inArray, or } from "drizzle-orm";

import { auditLog, orderEvents, orders, paymentAttempts, paymentNotifications, refunds } from "@wxpay/db";
import type {
  TAuditLogRow,
  TOrderRow,
  TPaymentAttemptRow,
  TPaymentNotificationRow,
  TRefundRow,
} from "@wxpay/db/schema";

import type { CoreDeps } from "../deps";
import { CoreError } from "../errors";
import type { TRefundable } from "./refundable";
import { refundableOf } from "./refundable";

export type TTimelineEntry = {
  at: Date;
  kind: "attempt" | "notify" | "event" | "refund" | "operator";
  title: string;
  detail: Record<string, unknown>;
};

export type TAdminOrderDetail = {
  order: TOrderRow;
  attempts: TPaymentAttemptRow[];
  notifications: TPaymentNotificationRow[];
  refunds: TRefundRow[];
  /** Per paid attempt: what can still be refunded. */
  refundable: TRefundable[];
  timeline: TTimelineEntry[];
};

export async function adminOrderDetail(deps: CoreDeps, orderId: string): Promise<TAdminOrderDetail> {
  const [order] = await deps.db.select().from(orders).where(eq(orders.id, orderId));
  if (!order) throw new CoreError("NOT_FOUND", "订单不存在");
  const attempts = await deps.db
    .select()
    .from(paymentAttempts)
    .where(eq(paymentAttempts.orderId, orderId))
    .orderBy(asc(paymentAttempts.createdAt));
  const outTradeNos = attempts.map((a) => a.outTradeNo);
  const notifications =
    attempts.length === 0
      ? []
      : await deps.db
          .select()
          .from(paymentNotifications)
          .where(
            or(
              inArray(
                paymentNotifications.attemptId,
                attempts.map((a) => a.id),
              ),
              inArray(paymentNotifications.outTradeNo, outTradeNos),
            ),
          )
          .orderBy(asc(paymentNotifications.id));
  const events = await deps.db
    .select()
    .from(orderEvents)
    .where(eq(orderEvents.orderId, orderId))
    .orderBy(asc(orderEvents.id));
  const refundRows = await deps.db
    .select()
    .from(refunds)
    .where(eq(refunds.orderId, orderId))
    .orderBy(asc(refunds.createdAt));
  const actions: TAuditLogRow[] = await deps.db
    .select()
    .from(auditLog)
    .where(eq(auditLog.orderId, orderId))
    .orderBy(asc(auditLog.id));

  const refundable = refundableOf(attempts, refundRows);

  const timeline: TTimelineEntry[] = [
    ...attempts.map((a) => ({
      at: a.createdAt,
      kind: "attempt" as const,
      title: `支付单 ${a.outTradeNo}（${a.channel}）${a.status}`,
      detail: {
        outTradeNo: a.outTradeNo,
        tradeType: a.tradeType,
        amountFen: a.amountFen,
        request: a.requestXml,
        prepayId: a.prepayId,
        mwebUrl: a.mwebUrl,
        transactionId: a.transactionId,
        lastError: a.lastError,
        lastQueriedAt: a.lastQueriedAt,
        checkCount: a.checkCount,
      },
    })),
    ...notifications.map((n) => ({
      at: n.receivedAt,
      kind: "notify" as const,
      title: `支付通知 ${n.verdict}`,
      detail: {
        verdict: n.verdict,
        remoteAddr: n.remoteAddr,
        body: n.rawXml,
        bodySha256: n.bodySha256,
        reply: n.reply,
        detail: n.detail,
      },
    })),
    ...events.map((e) => ({
      at: e.createdAt,
      kind: "event" as const,
      title: `事件 ${e.type}（${e.source}）`,
      detail: e.data,
    })),
    ...refundRows.map((r) => ({
      at: r.createdAt,
      kind: "refund" as const,
      title: `退款 ${r.outRefundNo} ${r.status}`,
      detail: {
        refundFeeFen: r.refundFeeFen,
        origin: r.origin,
        refundId: r.refundId,
        reason: r.reason,
        lastError: r.lastError,
        succeededAt: r.succeededAt,
      },
    })),
    ...actions.map((a) => ({
      at: a.at,
      kind: "operator" as const,
      title: `操作员 ${a.username}：${a.action}`,
      detail: { ip: a.ip, ...a.data },
    })),
  ].sort((x, y) => x.at.getTime() - y.at.getTime());

  return { order, attempts, notifications, refunds: refundRows, refundable, timeline };
}
