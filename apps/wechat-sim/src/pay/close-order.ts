// POST /pay/closeorder — only by out_trade_no.
import type { SimContext } from "../context";
import { isPayAnswer, verifyPayRequest, type FieldSpec } from "./envelope";
import { findOrder } from "./orders";
import { resultFail, resultSuccess, type PayAnswer } from "./wire";

const SPEC: FieldSpec = { required: ["out_trade_no"], maxLength: { out_trade_no: 32 } };

export function closeOrder(ctx: SimContext, method: string, raw: Buffer): PayAnswer {
  const req = verifyPayRequest(ctx, "closeorder", method, raw, SPEC);
  if (isPayAnswer(req)) return req;
  const order = findOrder(ctx, req.merchant.mchId, req.fields.out_trade_no ?? "");
  if (!order) return resultFail(req, "ORDERNOTEXIST", "订单不存在");
  if (order.tradeState === "SUCCESS" || order.tradeState === "REFUND")
    return resultFail(req, "ORDERPAID", "订单已支付");
  if (order.tradeState === "CLOSED" && order.closedBy === "closeorder") {
    return resultFail(req, "ORDERCLOSED", "订单已关闭");
  }
  const now = ctx.clock.now();
  // WeChat: an order cannot be closed right after it is created; the shortest interval is 5 minutes.
  // WeChat documents the rule but not its error; SYSTEMERROR ("retry later, same parameters") is the simulator's answer.
  if (order.tradeState !== "CLOSED" && now - order.createdAt < ctx.config.closeOrderMinAgeMs) {
    return resultFail(req, "SYSTEMERROR", "订单生成后不能马上调用关单接口，最短调用时间间隔为5分钟");
  }
  // Closing an order whose time_expire already passed is accepted: it ends in the same CLOSED state.
  order.tradeState = "CLOSED";
  order.closedAt = now;
  order.closedBy = "closeorder";
  ctx.log(`closed ${order.mchId}/${order.outTradeNo}`);
  return resultSuccess(req, { result_msg: "OK" });
}
