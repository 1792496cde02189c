// POST /pay/orderquery — by transaction_id (wins when both are sent) or out_trade_no.
import { formatBeijingTime } from "@wxpay/wechatpay";

import type { SimContext } from "../context";
import { isPayAnswer, verifyPayRequest, type FieldSpec } from "./envelope";
import { findOrder, findOrderByTransactionId, TRADE_STATE_DESC } from "./orders";
import { resultFail, resultSuccess, type PayAnswer } from "./wire";

const SPEC: FieldSpec = { required: [], maxLength: { transaction_id: 32, out_trade_no: 32 } };

export function orderQuery(ctx: SimContext, method: string, raw: Buffer): PayAnswer {
  const req = verifyPayRequest(ctx, "orderquery", method, raw, SPEC);
  if (isPayAnswer(req)) return req;
  const { transaction_id: transactionId, out_trade_no: outTradeNo } = req.fields;
  if (!transactionId && !outTradeNo)
    return resultFail(req, "PARAM_ERROR", "参数错误:必须输入商户单号或微信订单号");
  const order = transactionId
    ? findOrderByTransactionId(ctx, req.merchant.mchId, transactionId)
    : findOrder(ctx, req.merchant.mchId, outTradeNo ?? "");
  if (!order) return resultFail(req, "ORDERNOTEXIST", "order not exist");

  const paid = order.tradeState === "SUCCESS" || order.tradeState === "REFUND";
  const base = {
    trade_state: order.tradeState,
    trade_state_desc: TRADE_STATE_DESC[order.tradeState],
    out_trade_no: order.outTradeNo,
    attach: order.attach,
    total_fee: order.totalFee,
  };
  if (!paid) return resultSuccess(req, base);
  // WeChat: the payer and amount fields come only for a paid order.
  return resultSuccess(req, {
    device_info: order.deviceInfo,
    openid: order.payerOpenid,
    is_subscribe: "N",
    trade_type: order.tradeType,
    bank_type: order.bankType,
    fee_type: order.feeType,
    cash_fee: order.totalFee,
    transaction_id: order.transactionId,
    time_end: order.paidAt === undefined ? undefined : formatBeijingTime(new Date(order.paidAt)),
    ...base,
  });
}
