// POST /secapi/pay/refund — on WeChat this path needs the merchant's client certificate (mutual TLS). The
// simulator's plain HTTP listener does not check certificates; its optional HTTPS listener (http/tls.ts) demands one.
import type { SimContext } from "../context";
import { newRefundId } from "../ids";
import type { Refund } from "../state";
import { isPayAnswer, verifyPayRequest, type FieldSpec } from "./envelope";
import { findOrder, findOrderByTransactionId } from "./orders";
import { resultFail, resultSuccess, type PayAnswer, type VerifiedRequest } from "./wire";

const SPEC: FieldSpec = {
  required: ["out_refund_no", "total_fee", "refund_fee"],
  maxLength: {
    transaction_id: 32,
    out_trade_no: 32,
    out_refund_no: 64,
    refund_fee_type: 8,
    refund_desc: 80,
    refund_account: 30,
    notify_url: 256,
  },
};

const OUT_REFUND_NO = /^[0-9A-Za-z_\-|*@]{1,64}$/;
const MAX_REFUNDS = 50; // WeChat: at most 50 partial refunds per order.
const REFUNDABLE_FOR_MS = 365 * 24 * 60 * 60 * 1000; // WeChat: orders older than one year cannot be refunded.

export function refund(ctx: SimContext, method: string, raw: Buffer): PayAnswer {
  const req = verifyPayRequest(ctx, "refund", method, raw, SPEC);
  if (isPayAnswer(req)) return req;
  const f = req.fields;
  const fail = (code: string, des: string) => resultFail(req, code, des);
  const mchId = req.merchant.mchId;

  if (!f.transaction_id && !f.out_trade_no)
    return fail("PARAM_ERROR", "参数错误:必须输入商户单号或微信订单号");
  if (!OUT_REFUND_NO.test(f.out_refund_no ?? "")) return fail("PARAM_ERROR", "out_refund_no参数格式错误");
  const totalFee = positiveInt(f.total_fee);
  if (totalFee === undefined) return fail("PARAM_ERROR", "invalid total_fee");
  const refundFee = positiveInt(f.refund_fee);
  if (refundFee === undefined) return fail("PARAM_ERROR", "invalid refund_fee");
  if (f.refund_fee_type !== undefined && f.refund_fee_type !== "CNY")
    return fail("PARAM_ERROR", "refund_fee_type参数错误");
  if (f.notify_url !== undefined && !validUrl(f.notify_url))
    return fail("PARAM_ERROR", "notify_url参数格式错误");

  const order = f.transaction_id
    ? findOrderByTransactionId(ctx, mchId, f.transaction_id)
    : findOrder(ctx, mchId, f.out_trade_no ?? "");
  if (!order || (order.tradeState !== "SUCCESS" && order.tradeState !== "REFUND") || !order.transactionId) {
    return fail("ORDERNOTEXIST", "请检查你的订单号是否正确且是否已支付，未支付的订单不能发起退款");
  }

  // WeChat: one out_refund_no refunds once; the same request again answers with the same refund.
  const existing = [...ctx.state.refunds.values()].find(
    (r) => r.mchId === mchId && r.outRefundNo === f.out_refund_no,
  );
  if (existing) {
    if (
      existing.outTradeNo !== order.outTradeNo ||
      existing.refundFee !== refundFee ||
      existing.totalFee !== totalFee
    ) {
      return fail("PARAM_ERROR", "订单金额或退款金额与之前请求不一致，请核实后再试");
    }
    return accepted(req, existing);
  }

  const now = ctx.clock.now();
  if (totalFee !== order.totalFee)
    return fail("PARAM_ERROR", "订单金额或退款金额与之前请求不一致，请核实后再试");
  if (order.paidAt !== undefined && now - order.paidAt > REFUNDABLE_FOR_MS)
    return fail("TRADE_OVERDUE", "订单已经超过退款期限");
  const previous = [...ctx.state.refunds.values()].filter(
    (r) => r.mchId === mchId && r.outTradeNo === order.outTradeNo,
  );
  if (previous.length >= MAX_REFUNDS) return fail("ERROR", "订单退款次数超过限制，最多50笔");
  const refunded = previous
    .filter((r) => r.status !== "REFUNDCLOSE")
    .reduce((sum, r) => sum + r.refundFee, 0);
  if (refundFee > order.totalFee - refunded) return fail("ERROR", "申请退款金额超过订单可退金额");
  const last = Math.max(-Infinity, ...previous.map((r) => r.createdAt));
  // WeChat: refunds of the same order must be requested at least one minute apart.
  if (now - last < ctx.config.refundSpacingMs)
    return fail("FREQUENCY_LIMITED", "同一笔订单多次退款的请求需相隔1分钟");

  const rule = ctx.state.findFault(mchId, order.outTradeNo);
  const record: Refund = {
    refundId: newRefundId(now),
    outRefundNo: f.out_refund_no ?? "",
    mchId,
    appId: order.appId,
    outTradeNo: order.outTradeNo,
    transactionId: order.transactionId,
    apiVersion: "v2",
    totalFee,
    refundFee,
    refundDesc: f.refund_desc,
    notifyUrl: f.notify_url ?? req.merchant.refundNotifyUrl,
    status: "PROCESSING",
    createdAt: now,
    settlesTo: settledStatus(rule.refundOutcome),
  };
  ctx.state.refunds.set(record.refundId, record);
  order.tradeState = "REFUND"; // WeChat: trade_state turns REFUND once a refund is accepted.
  ctx.log(`refund ${record.outRefundNo} of ${mchId}/${order.outTradeNo}: ${refundFee} fen accepted`);

  // WeChat: the answer only means "accepted"; the refund reaches its final state later.
  ctx.clock.at(now + ctx.config.refundSettleMs, () => settleRefund(ctx, record));
  return accepted(req, record);
}

/** The fault rule's outcome in the store's words (v3's ABNORMAL and CLOSED are v2's CHANGE and REFUNDCLOSE). */
export function settledStatus(outcome: string | undefined): Refund["settlesTo"] {
  if (outcome === "ABNORMAL" || outcome === "CHANGE") return "CHANGE";
  if (outcome === "CLOSED" || outcome === "REFUNDCLOSE") return "REFUNDCLOSE";
  return "SUCCESS";
}

export function settleRefund(ctx: SimContext, record: Refund): void {
  if (record.status !== "PROCESSING") return;
  record.status = record.settlesTo;
  if (record.status === "SUCCESS") record.successAt = ctx.clock.now();
  ctx.log(`refund ${record.outRefundNo} ${record.status}`);
  if (record.notifyUrl) ctx.notify.enqueueRefund(record);
}

function accepted(req: VerifiedRequest, r: Refund): PayAnswer {
  return resultSuccess(req, {
    transaction_id: r.transactionId,
    out_trade_no: r.outTradeNo,
    out_refund_no: r.outRefundNo,
    refund_id: r.refundId,
    refund_fee: r.refundFee,
    settlement_refund_fee: r.refundFee,
    total_fee: r.totalFee,
    settlement_total_fee: r.totalFee,
    fee_type: "CNY",
    cash_fee: r.totalFee,
    cash_refund_fee: r.refundFee,
    refund_channel: "",
  });
}

function positiveInt(raw: string | undefined): number | undefined {
  if (!raw || !/^[1-9]\d{0,9}$/.test(raw)) return undefined;
  return Number(raw);
}

function validUrl(raw: string): boolean {
  try {
    const url = new URL(raw);
    return (url.protocol === "http:" || url.protocol === "https:") && url.search === "";
  } catch {
    return false;
  }
}
