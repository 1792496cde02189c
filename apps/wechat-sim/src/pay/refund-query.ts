// POST /pay/refundquery — lookup priority refund_id > out_refund_no > transaction_id > out_trade_no.
import { formatBeijingTime } from "@wxpay/wechatpay";

import type { SimContext } from "../context";
import type { Refund } from "../state";
import { isPayAnswer, verifyPayRequest, type FieldSpec } from "./envelope";
import { resultFail, resultSuccess, type PayAnswer } from "./wire";

const SPEC: FieldSpec = {
  required: [],
  maxLength: { transaction_id: 32, out_trade_no: 32, out_refund_no: 64, refund_id: 32, offset: 10 },
};
const PAGE = 10; // WeChat: orders with more than 10 refunds are paged with `offset`.

export function refundQuery(ctx: SimContext, method: string, raw: Buffer): PayAnswer {
  const req = verifyPayRequest(ctx, "refundquery", method, raw, SPEC);
  if (isPayAnswer(req)) return req;
  const f = req.fields;
  const mine = [...ctx.state.refunds.values()].filter((r) => r.mchId === req.merchant.mchId);
  let found: Refund[];
  if (f.refund_id) found = mine.filter((r) => r.refundId === f.refund_id);
  else if (f.out_refund_no) found = mine.filter((r) => r.outRefundNo === f.out_refund_no);
  else if (f.transaction_id) found = mine.filter((r) => r.transactionId === f.transaction_id);
  else if (f.out_trade_no) found = mine.filter((r) => r.outTradeNo === f.out_trade_no);
  else
    return resultFail(
      req,
      "PARAM_ERROR",
      "参数错误:必须输入refund_id、out_refund_no、transaction_id或out_trade_no之一",
    );
  if (f.offset !== undefined && !/^\d+$/.test(f.offset))
    return resultFail(req, "PARAM_ERROR", "offset参数格式错误");
  if (found.length === 0) return resultFail(req, "REFUNDNOTEXIST", "not exist");

  found.sort((a, b) => a.createdAt - b.createdAt);
  const offset = f.offset === undefined ? 0 : Number(f.offset);
  const page = found.slice(offset, offset + PAGE);
  if (page.length === 0) return resultFail(req, "PARAM_ERROR", "offset参数错误");
  const first = found[0] as Refund;
  const fields: Record<string, string | number | undefined> = {
    transaction_id: first.transactionId,
    out_trade_no: first.outTradeNo,
    total_fee: first.totalFee,
    settlement_total_fee: first.totalFee,
    fee_type: "CNY",
    cash_fee: first.totalFee,
    refund_count: page.length,
    total_refund_count: f.offset === undefined ? undefined : found.length,
  };
  page.forEach((r, n) => {
    fields[`out_refund_no_${n}`] = r.outRefundNo;
    fields[`refund_id_${n}`] = r.refundId;
    fields[`refund_channel_${n}`] = "ORIGINAL";
    fields[`refund_fee_${n}`] = r.refundFee;
    fields[`settlement_refund_fee_${n}`] = r.refundFee;
    fields[`refund_status_${n}`] = r.status;
    fields[`refund_account_${n}`] = "REFUND_SOURCE_UNSETTLED_FUNDS";
    fields[`refund_recv_accout_${n}`] = "支付用户零钱"; // sic: WeChat spells it "accout"
    if (r.successAt !== undefined) fields[`refund_success_time_${n}`] = dashedBeijingTime(r.successAt);
  });
  return resultSuccess(req, fields);
}

/** `2017-12-15 09:46:01`, the format of refund success times. */
export function dashedBeijingTime(ms: number): string {
  const s = formatBeijingTime(new Date(ms));
  return `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)} ${s.slice(8, 10)}:${s.slice(10, 12)}:${s.slice(12, 14)}`;
}
