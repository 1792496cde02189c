// A user's payment decision reaching WeChat's books: the order becomes SUCCESS (and the notify engine starts)
// or PAYERROR. Every way of paying — cashier page, JS bridge, wx shim, control API — ends here.
import type { SimContext } from "../context";
import { newTransactionId } from "../ids";
import type { Order } from "../state";
import { expireIfDue, isPayable } from "./orders";

export type PayDecision = "ok" | "cancel" | "fail";

export type SettleResult =
  | { ok: true; order: Order; settled: "now" | "later" | "nothing" }
  | { ok: false; reason: "ORDER_PAID" | "ORDER_CLOSED" };

export function settlePayment(
  ctx: SimContext,
  order: Order,
  decision: PayDecision,
  payerOpenid: string | undefined,
): SettleResult {
  expireIfDue(ctx, order);
  if (order.tradeState === "SUCCESS" || order.tradeState === "REFUND")
    return { ok: false, reason: "ORDER_PAID" };
  if (order.tradeState === "CLOSED") return { ok: false, reason: "ORDER_CLOSED" };
  // A cancel leaves the order as it was: the user may come back and pay.
  if (decision === "cancel") return { ok: true, order, settled: "nothing" };

  const rule = ctx.state.findFault(order.mchId, order.outTradeNo);
  const apply = () => {
    expireIfDue(ctx, order);
    if (!isPayable(order)) return;
    if (decision === "fail") {
      // A bank failure: orderquery shows PAYERROR; WeChat sends no notify for it.
      order.tradeState = "PAYERROR";
      ctx.log(`payment failed ${order.mchId}/${order.outTradeNo}`);
      return;
    }
    const now = ctx.clock.now();
    order.tradeState = "SUCCESS";
    order.transactionId = newTransactionId(now);
    order.paidAt = now;
    order.payerOpenid = payerOpenid;
    order.bankType = "OTHERS";
    ctx.log(`paid ${order.mchId}/${order.outTradeNo} ${order.totalFee} fen by ${payerOpenid ?? "?"}`);
    ctx.notify.enqueuePay(order);
  };

  const delay = rule.settleDelayMs ?? 0;
  if (delay > 0) {
    // The client hears "ok" before WeChat's books change, as can happen for real: only a notify or orderquery is truth.
    ctx.clock.at(ctx.clock.now() + delay, apply);
    return { ok: true, order, settled: "later" };
  }
  apply();
  return { ok: true, order, settled: "now" };
}
