// Reading orders and prepay sessions with their time rules applied.
import type { SimContext } from "../context";
import type { Order, Prepay, TradeState } from "../state";

export const TRADE_STATE_DESC: Record<TradeState, string> = {
  SUCCESS: "支付成功",
  REFUND: "订单发生过退款，退款详情请查询退款单",
  NOTPAY: "订单未支付",
  CLOSED: "订单已关闭",
  PAYERROR: "支付失败，请重新下单支付",
};

/** The order, closed first if its life ended unpaid (an unpaid order past time_expire reads CLOSED here). */
export function findOrder(ctx: SimContext, mchId: string, outTradeNo: string): Order | undefined {
  const order = ctx.state.orders.get(ctx.state.orderKey(mchId, outTradeNo));
  if (order) expireIfDue(ctx, order);
  return order;
}

export function findOrderByTransactionId(
  ctx: SimContext,
  mchId: string,
  transactionId: string,
): Order | undefined {
  for (const order of ctx.state.orders.values()) {
    if (order.mchId === mchId && order.transactionId === transactionId) return order;
  }
  return undefined;
}

export function expireIfDue(ctx: SimContext, order: Order): void {
  if (
    (order.tradeState === "NOTPAY" || order.tradeState === "PAYERROR") &&
    ctx.clock.now() >= order.expiresAt
  ) {
    order.tradeState = "CLOSED";
    order.closedAt = order.expiresAt;
    order.closedBy = "expiry";
  }
}

export function isPayable(order: Order): boolean {
  return order.tradeState === "NOTPAY" || order.tradeState === "PAYERROR";
}

export type PrepayLookup =
  | { ok: true; prepay: Prepay; order: Order }
  | { ok: false; reason: "UNKNOWN" | "EXPIRED" | "ORDER_PAID" | "ORDER_CLOSED" };

/** WeChat: prepay_id is valid 2 hours, and only while its order can still be paid. */
export function lookupPrepay(ctx: SimContext, prepayId: string): PrepayLookup {
  const prepay = ctx.state.prepays.get(prepayId);
  if (!prepay) return { ok: false, reason: "UNKNOWN" };
  const order = findOrder(ctx, prepay.mchId, prepay.outTradeNo);
  if (!order) return { ok: false, reason: "UNKNOWN" };
  if (order.tradeState === "SUCCESS" || order.tradeState === "REFUND")
    return { ok: false, reason: "ORDER_PAID" };
  if (order.tradeState === "CLOSED") return { ok: false, reason: "ORDER_CLOSED" };
  if (ctx.clock.now() >= prepay.expiresAt) return { ok: false, reason: "EXPIRED" };
  return { ok: true, prepay, order };
}
