// An operator returns a payment (the order's own, or money that landed where it could not be taken), in full or in
// part: `pnpm --filter @wxpay/web refund <orderId> [out_trade_no] [reason] [--amount-fen N]` and the console's refund
// button both come here. WeChat: a payment takes at most 50 refunds, each a minute after the previous one, and
// together no more than was paid.
import { and, desc, eq } from "drizzle-orm";

import { orderEvents, orders, paymentAttempts, refunds } from "@wxpay/db";
import type { TRefundRow } from "@wxpay/db";
import { generateOutTradeNo } from "@wxpay/wechatpay";

import type { CoreDeps } from "../deps";
import { CoreError } from "../errors";
import { sendRefund } from "./send-refund";
import { statusFromPayments } from "./status-from-payments";

export type TRequestRefundResult = {
  orderId: string;
  outTradeNo: string;
  outRefundNo: string;
  status: TRefundRow["status"];
  refundFeeFen: number;
  orderStatus: string;
};

/** WeChat: "一笔退款失败后重新提交…每个支付订单的部分退款次数不能超过50次" and one refund a minute per payment. */
export const MAX_REFUNDS_PER_PAYMENT = 50;
export const REFUND_SPACING_MS = 60_000;

export async function requestRefund(
  deps: CoreDeps,
  input: {
    orderId: string;
    outTradeNo?: string;
    reason?: string;
    /** Part of the payment; absent = everything still left of it. */
    amountFen?: number;
    /** Who asked (an operator's username, "cli"), for the order's record. */
    requestedBy?: string;
  },
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
    // WeChat: "同一退款单号多次请求只退一笔" — a refund of this attempt still in flight is re-sent with its
    // out_refund_no rather than doubled.
    const mine = await tx
      .select()
      .from(refunds)
      .where(eq(refunds.attemptId, target.id))
      .orderBy(desc(refunds.createdAt));
    const inFlight = mine.find((r) => r.status === "REQUESTED" && r.origin === "SHOP");
    if (inFlight) {
      if (input.amountFen !== undefined && input.amountFen !== inFlight.refundFeeFen) {
        throw new CoreError("BAD_INPUT", "这笔支付还有一笔退款在处理中，请等它完成后再退");
      }
      return { refund: inFlight, attempt: target };
    }
    const committedFen = mine
      .filter((r) => r.status === "SUCCESS" || r.status === "CHANGE")
      .reduce((sum, r) => sum + r.refundFeeFen, 0);
    const leftFen = target.amountFen - committedFen;
    if (leftFen <= 0) {
      // Everything already went back: asking again (without an amount) answers with the last refund.
      const last = mine.find((r) => r.status === "SUCCESS" || r.status === "CHANGE");
      if (last && input.amountFen === undefined) return { refund: last, attempt: target };
      throw new CoreError("BAD_INPUT", "这笔支付已全部退款，没有可退的金额");
    }
    const amountFen = input.amountFen ?? leftFen;
    if (!Number.isSafeInteger(amountFen) || amountFen <= 0 || amountFen > leftFen) {
      throw new CoreError(
        "BAD_INPUT",
        `退款金额须为 1 到 ${leftFen} 分之间的整数（这笔支付还可退 ${leftFen} 分）`,
      );
    }
    const sent = mine.filter((r) => r.origin === "SHOP" && r.status !== "FAILED");
    if (sent.length >= MAX_REFUNDS_PER_PAYMENT) {
      throw new CoreError("BAD_INPUT", `一笔支付最多退款 ${MAX_REFUNDS_PER_PAYMENT} 次`);
    }
    const latest = sent[0];
    if (latest && now.getTime() - latest.createdAt.getTime() < REFUND_SPACING_MS) {
      const waitS = Math.ceil((REFUND_SPACING_MS - (now.getTime() - latest.createdAt.getTime())) / 1000);
      throw new CoreError("TOO_MANY_REQUESTS", `同一笔支付的两次退款须间隔 1 分钟，请 ${waitS} 秒后再试`);
    }
    const [created] = await tx
      .insert(refunds)
      .values({
        outRefundNo: `R${generateOutTradeNo(now)}`,
        orderId: order.id,
        attemptId: target.id,
        refundFeeFen: amountFen,
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
        paymentFeeFen: target.amountFen,
        reason: input.reason ?? null,
        requestedBy: input.requestedBy ?? null,
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
    orderId: input.orderId,
    outTradeNo: attempt.outTradeNo,
    outRefundNo: refund.outRefundNo,
    status: after?.status ?? refund.status,
    refundFeeFen: refund.refundFeeFen,
    orderStatus: order?.status ?? "",
  };
}
