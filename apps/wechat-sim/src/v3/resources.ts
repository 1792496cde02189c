// The v3 JSON shapes of the simulator's records: the Transaction of the order query and of the payment
// notify, and the Refund of the refund answer, query and notify (reference §4, §7.4, §7.7).
import { TRADE_STATE_DESC } from "../pay/orders";
import type { Order, Refund, RefundStatus } from "../state";
import { rfc3339Beijing } from "./keys";

export type V3RefundStatus = "SUCCESS" | "CLOSED" | "PROCESSING" | "ABNORMAL";

/** The same refund outcome in v3's words (v2's CHANGE is v3's ABNORMAL, REFUNDCLOSE is CLOSED). */
export function v3RefundStatus(s: RefundStatus): V3RefundStatus {
  if (s === "CHANGE") return "ABNORMAL";
  if (s === "REFUNDCLOSE") return "CLOSED";
  return s;
}

export function transactionJson(order: Order): Record<string, unknown> {
  const paid = order.tradeState === "SUCCESS" || order.tradeState === "REFUND";
  // v3: PAYERROR is only for 付款码; a failed JSAPI/H5/Native attempt leaves the order NOTPAY.
  const tradeState = order.tradeState === "PAYERROR" ? "NOTPAY" : order.tradeState;
  const out: Record<string, unknown> = {
    appid: order.appId,
    mchid: order.mchId,
    out_trade_no: order.outTradeNo,
    trade_state: tradeState,
    trade_state_desc: TRADE_STATE_DESC[tradeState],
  };
  if (!paid) {
    out.amount = { total: order.totalFee, currency: "CNY" };
    return out;
  }
  // WeChat: payment fields (and attach) come only once the order is paid.
  Object.assign(out, {
    transaction_id: order.transactionId,
    trade_type: order.tradeType,
    bank_type: order.bankType ?? "OTHERS",
    success_time: rfc3339Beijing(order.paidAt ?? 0),
    payer: { openid: order.payerOpenid ?? "" },
    amount: { total: order.totalFee, payer_total: order.totalFee, currency: "CNY", payer_currency: "CNY" },
  });
  if (order.attach) out.attach = order.attach;
  return out;
}

export function refundJson(r: Refund, refundFee = r.refundFee): Record<string, unknown> {
  const out: Record<string, unknown> = {
    refund_id: r.refundId,
    out_refund_no: r.outRefundNo,
    transaction_id: r.transactionId,
    out_trade_no: r.outTradeNo,
    channel: "ORIGINAL",
    user_received_account: "支付用户零钱",
    create_time: rfc3339Beijing(r.createdAt),
    status: v3RefundStatus(r.status),
    funds_account: "AVAILABLE",
    amount: {
      total: r.totalFee,
      refund: refundFee,
      from: [],
      payer_total: r.totalFee,
      payer_refund: refundFee,
      settlement_refund: refundFee,
      settlement_total: r.totalFee,
      discount_refund: 0,
      currency: "CNY",
    },
    promotion_detail: [],
  };
  // WeChat: success_time only when status is SUCCESS.
  if (r.successAt !== undefined) out.success_time = rfc3339Beijing(r.successAt);
  return out;
}

/** The decrypted resource of a refund notify (reference §4, the official example's fields). */
export function refundNotifyResource(r: Refund, refundFee = r.refundFee): Record<string, unknown> {
  const out: Record<string, unknown> = {
    mchid: r.mchId,
    transaction_id: r.transactionId,
    out_trade_no: r.outTradeNo,
    refund_id: r.refundId,
    out_refund_no: r.outRefundNo,
    refund_status: v3RefundStatus(r.status),
    user_received_account: "支付用户零钱",
    amount: { total: r.totalFee, refund: refundFee, payer_total: r.totalFee, payer_refund: refundFee },
  };
  if (r.successAt !== undefined) out.success_time = rfc3339Beijing(r.successAt);
  return out;
}
