// POST /v3/refund/domestic/refunds and GET /v3/refund/domestic/refunds/{out_refund_no}. Partial refunds: several
// per payment (each its own out_refund_no, at most 50, a minute apart), never more in total than was paid.
// Same store as the v2 refund: the settle timer, the fault rule refundOutcome and the notify engine serve both.
import type { SimContext } from "../context";
import { newRefundId } from "../ids";
import { findOrder, findOrderByTransactionId } from "../pay/orders";
import { settledStatus, settleRefund } from "../pay/refund";
import type { Refund } from "../state";
import type { V3Call } from "./call";
import { Fields, isV3Reply, parseBody, validNotifyUrl } from "./fields";
import { refundJson } from "./resources";
import { ok, v3Error, type V3Reply } from "./wire";

/** WeChat: "只能是数字、大小写字母_-|*@". */
const OUT_REFUND_NO = /^[0-9A-Za-z_\-|*@]{1,64}$/;
const MAX_REFUNDS = 50; // WeChat: at most 50 partial refunds per order.
const REFUNDABLE_FOR_MS = 365 * 24 * 60 * 60 * 1000; // WeChat: "按支付成功时间+365天计算".

const REFUND_FIELDS = [
  "transaction_id",
  "out_trade_no",
  "out_refund_no",
  "reason",
  "notify_url",
  "funds_account",
  "amount",
  "goods_detail",
];

export function createRefund(ctx: SimContext, call: V3Call): V3Reply {
  const body = parseBody(call.raw);
  if (isV3Reply(body)) return body;
  const mchId = call.merchant.mchId;

  const f = new Fields(body).onlyKnown(REFUND_FIELDS);
  const transactionId = f.string("transaction_id", { max: 32 });
  const outTradeNo = f.string("out_trade_no", { max: 32 });
  if (!f.failure && !transactionId && !outTradeNo)
    f.error("out_trade_no", "transaction_id和out_trade_no必须填写一个");
  const outRefundNo = f.string("out_refund_no", { required: true, max: 64, pattern: OUT_REFUND_NO });
  const reason = f.string("reason", { max: 80 });
  const notifyUrl = f.string("notify_url", { max: 256 });
  if (notifyUrl !== undefined && !validNotifyUrl(notifyUrl))
    f.error("notify_url", "notify_url必须为直接可访问的URL，不能携带参数", notifyUrl);
  const fundsAccount = f.string("funds_account", { max: 32 });
  if (fundsAccount !== undefined && !["AVAILABLE", "UNSETTLED"].includes(fundsAccount))
    f.error("funds_account", "funds_account取值错误", fundsAccount);
  const amount = f.object("amount", { required: true });
  amount?.onlyKnown(["refund", "total", "currency", "from"]);
  const refundFee = amount?.integer("refund", { required: true, min: 1 });
  const totalFee = amount?.integer("total", { required: true, min: 1 });
  const currency = amount?.string("currency", { required: true, max: 16 });
  if (currency !== undefined && currency !== "CNY")
    amount?.error("currency", "境内商户号仅支持人民币", currency);
  const from = amount?.array("from");
  if (from !== undefined && refundFee !== undefined) {
    // WeChat: the funding parts must add up to the refund.
    let sum = 0;
    for (const part of from) {
      const a = (part as { amount?: unknown } | null)?.amount;
      if (typeof a !== "number" || !Number.isSafeInteger(a) || a < 0) {
        amount?.error("from", "from.amount应为非负整数", part);
        break;
      }
      sum += a;
    }
    if (from.length > 0 && sum !== refundFee) amount?.error("from", "from中的金额之和必须等于退款金额", from);
  }
  f.take(amount);
  f.array("goods_detail");
  if (f.failure) return f.failure;

  const order = transactionId
    ? findOrderByTransactionId(ctx, mchId, transactionId)
    : findOrder(ctx, mchId, outTradeNo ?? "");
  // WeChat (refund table): "订单号不存在…未支付的订单不能发起退款".
  if (!order || (order.tradeState !== "SUCCESS" && order.tradeState !== "REFUND") || !order.transactionId)
    return v3Error(404, "RESOURCE_NOT_EXISTS", "订单不存在");
  if (ctx.state.takeSystemError(mchId, order.outTradeNo, "v3/refund"))
    return v3Error(500, "SYSTEM_ERROR", "系统超时，请不要更换商户退款单号，请使用相同参数再次调用API");

  // WeChat: "同一退款单号多次请求只退一笔" — the same out_refund_no answers with the same refund.
  const existing = [...ctx.state.refunds.values()].find(
    (r) => r.mchId === mchId && r.outRefundNo === outRefundNo,
  );
  if (existing) {
    if (
      existing.outTradeNo !== order.outTradeNo ||
      existing.refundFee !== refundFee ||
      existing.totalFee !== totalFee
    )
      return v3Error(400, "INVALID_REQUEST", "请求重入时，参数与首次请求时不一致");
    return ok(refundJson(existing));
  }

  const now = ctx.clock.now();
  if (totalFee !== order.totalFee) return v3Error(400, "INVALID_REQUEST", "退款订单金额与原订单金额不一致");
  if (order.paidAt !== undefined && now - order.paidAt > REFUNDABLE_FOR_MS)
    return v3Error(400, "INVALID_REQUEST", "订单已超过退款期限");
  const previous = [...ctx.state.refunds.values()].filter(
    (r) => r.mchId === mchId && r.outTradeNo === order.outTradeNo,
  );
  if (previous.length >= MAX_REFUNDS)
    return v3Error(400, "INVALID_REQUEST", "订单退款次数超过限制，最多50笔");
  const refunded = previous
    .filter((r) => r.status !== "REFUNDCLOSE")
    .reduce((sum, r) => sum + r.refundFee, 0);
  if ((refundFee ?? 0) > order.totalFee - refunded)
    return v3Error(400, "INVALID_REQUEST", "申请退款金额超过订单可退金额");
  const last = Math.max(-Infinity, ...previous.map((r) => r.createdAt));
  // WeChat: two refunds of the same order must be at least 1 minute apart.
  if (now - last < ctx.config.refundSpacingMs)
    return v3Error(429, "FREQUENCY_LIMITED", "同一笔订单多次退款的请求需相隔1分钟");

  const rule = ctx.state.findFault(mchId, order.outTradeNo);
  const record: Refund = {
    refundId: newRefundId(now),
    outRefundNo: outRefundNo ?? "",
    mchId,
    appId: order.appId,
    outTradeNo: order.outTradeNo,
    transactionId: order.transactionId,
    apiVersion: "v3",
    totalFee: order.totalFee,
    refundFee: refundFee ?? 0,
    refundDesc: reason,
    notifyUrl: notifyUrl ?? call.merchant.refundNotifyUrl,
    status: "PROCESSING",
    createdAt: now,
    settlesTo: settledStatus(rule.refundOutcome),
  };
  ctx.state.refunds.set(record.refundId, record);
  order.tradeState = "REFUND"; // WeChat: trade_state turns REFUND once a refund is accepted.
  ctx.log(
    `refund (v3) ${record.outRefundNo} of ${mchId}/${order.outTradeNo}: ${record.refundFee} fen accepted`,
  );
  // WeChat: the answer only means "accepted"; the outcome comes by notify or refund query.
  ctx.clock.at(now + ctx.config.refundSettleMs, () => settleRefund(ctx, record));
  return ok(refundJson(record));
}

export function queryRefund(ctx: SimContext, call: V3Call): V3Reply {
  const outRefundNo = call.params.out_refund_no ?? "";
  const found = [...ctx.state.refunds.values()].find(
    (r) => r.mchId === call.merchant.mchId && r.outRefundNo === outRefundNo,
  );
  if (!found) return v3Error(404, "RESOURCE_NOT_EXISTS", "退款单不存在");
  if (ctx.state.takeSystemError(found.mchId, found.outTradeNo, "v3/refundquery"))
    return v3Error(500, "SYSTEM_ERROR", "系统异常，请稍后重试");
  return ok(refundJson(found));
}
