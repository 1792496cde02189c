// An operator returns a payment (the order's own, or money that landed where it could not be taken):
// `pnpm --filter @wxpay/web refund <orderId> [out_trade_no]`. Refunds are whole attempts.
import { and, eq, inArray } from "drizzle-orm";

import { orderEvents, orders, paymentAttempts, refunds } from "@wxpay/db";
import type { TRefundRow } from "@wxpay/db";
import { generateOutTradeNo } from "@wxpay/wechatpay";

import type { CoreDeps } from "../deps";
import { CoreError } from "../errors";
import { sendRefund } from "./send-refund";
import { statusFromPayments } from "./status-from-payments";

export type TRequestRefundResult = {
  outRefundNo: string;
  status: TRefundRow["status"];
  refundFeeFen: number;
  orderStatus: string;
};

export async function requestRefund(
  deps: CoreDeps,
  input: { orderId: string; outTradeNo?: string; reason?: string },
): Promise<TRequestRefundResult> {
  if (!deps.config.refundsEnabled) {
    throw new CoreError("REFUNDS_DISABLED", "本店未启用退款（REFUNDS_ENABLED=false）");
  }
  const now = deps.now();
  const { refund, attempt } = await deps.db.transaction(async (tx) => {
    const [order] = await tx.select().from(orders).where(eq(orders.id, input.orderId)).for("update");
    if (!order) throw new CoreError("NOT_FOUND", "订单不存在");
    const paid = await tx
      .select()
      .from(paymentAttempts)
      .where(and(eq(paymentAttempts.orderId, order.id), eq(paymentAttempts.status, "PAID")));
    const target = input.outTradeNo
      ? paid.find((a) => a.outTradeNo === input.outTradeNo)
      : (paid.find((a) => a.id === order.paidAttemptId) ?? (paid.length === 1 ? paid[0] : undefined));
    if (!target?.transactionId) {
      throw new CoreError(
        "BAD_INPUT",
        input.outTradeNo ? "该支付单没有已支付的款项" : "请指定要退款的支付单（out_trade_no）",
      );
    }
    // WeChat: "同一退款单号多次请求只退一笔" — a live refund of this attempt is re-sent with its out_refund_no.
    const [live] = await tx
      .select()
      .from(refunds)
      .where(
        and(eq(refunds.attemptId, target.id), inArray(refunds.status, ["REQUESTED", "SUCCESS", "CHANGE"])),
      );
    if (live) return { refund: live, attempt: target };
    const [created] = await tx
      .insert(refunds)
      .values({
        outRefundNo: `R${generateOutTradeNo(now)}`,
        orderId: order.id,
        attemptId: target.id,
        refundFeeFen: target.amountFen,
        // Sent, queried and notified with the API the shop is switched to now, whatever paid the attempt.
        apiVersion: deps.gateways.current,
        reason: input.reason ?? null,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    if (!created) throw new Error("refund insert returned nothing");
    const next = await statusFromPayments(tx, order);
    if (next !== order.status) {
      await tx.update(orders).set({ status: next, updatedAt: now }).where(eq(orders.id, order.id));
    }
    await tx.insert(orderEvents).values({
      orderId: order.id,
      attemptId: target.id,
      type: "REFUND_REQUESTED",
      source: "operator",
      data: {
        outRefundNo: created.outRefundNo,
        refundFeeFen: created.refundFeeFen,
        reason: input.reason ?? null,
      },
    });
    return { refund: created, attempt: target };
  });

  if (refund.status === "REQUESTED") {
    const sent = await sendRefund(deps, refund, attempt);
    if (!sent.ok) {
      throw new CoreError(
        sent.final ? "WECHAT_REJECTED" : "WECHAT_BUSY",
        sent.final
          ? `退款未能发出或被微信支付拒绝，已作废：${sent.why}`
          : "退款请求未完成，请稍后用同一命令重试（对账也会自动重试）",
        { cause: sent.error },
      );
    }
  }
  const [after] = await deps.db.select().from(refunds).where(eq(refunds.outRefundNo, refund.outRefundNo));
  const [order] = await deps.db
    .select({ status: orders.status })
    .from(orders)
    .where(eq(orders.id, input.orderId));
  return {
    outRefundNo: refund.outRefundNo,
    status: after?.status ?? refund.status,
    refundFeeFen: refund.refundFeeFen,
    orderStatus: order?.status ?? "",
  };
}
