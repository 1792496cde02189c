// POST /pay/downloadbill — a text table (not XML) on success, amounts in yuan, every field prefixed with "`".
import { gzipSync } from "node:zlib";

import { fenToYuanString, parseBeijingTime } from "@wxpay/wechatpay";

import type { SimContext } from "../context";
import { isPayAnswer, verifyPayRequest, type FieldSpec } from "./envelope";
import { dashedBeijingTime } from "./refund-query";
import { returnFail, type PayAnswer } from "./wire";

const SPEC: FieldSpec = { required: ["bill_date"], maxLength: { bill_date: 8, bill_type: 8, tar_type: 8 } };
export const DAY_MS = 24 * 60 * 60 * 1000;
export const BILL_READY_AFTER_MS = 9 * 60 * 60 * 1000; // WeChat: day D's bill is generated from 09:00 on D+1.
export const KEPT_FOR_MS = 92 * DAY_MS; // WeChat: only the last 3 months can be downloaded.

const HEADER =
  "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类," +
  "应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率," +
  "订单金额,申请退款金额,费率备注";
const SUMMARY_HEADER =
  "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额";

export type BillAnswer = PayAnswer | { body: string | Buffer; contentType: string };

/** 0.6 % fee in fen, rounded half up. */
export const fee = (fen: number) => Math.round((fen * 6) / 1000);
export const row = (cells: (string | number)[]) => cells.map((c) => "`" + String(c)).join(",");

export function downloadBill(ctx: SimContext, method: string, raw: Buffer): BillAnswer {
  const req = verifyPayRequest(ctx, "downloadbill", method, raw, SPEC);
  if (isPayAnswer(req)) return req;
  const billDate = req.fields.bill_date ?? "";
  const billType = req.fields.bill_type || "ALL";
  if (!["ALL", "SUCCESS", "REFUND", "RECHARGE_REFUND"].includes(billType))
    return returnFail("invalid bill_type");
  if (req.fields.tar_type !== undefined && req.fields.tar_type !== "GZIP")
    return returnFail("invalid tar_type");
  let dayStart: number;
  try {
    if (!/^\d{8}$/.test(billDate)) throw new Error("bad date");
    dayStart = parseBeijingTime(`${billDate}000000`).getTime();
  } catch {
    return returnFail("invalid bill_date");
  }
  const now = ctx.clock.now();
  if (dayStart > now || now - dayStart > KEPT_FOR_MS) return returnFail("invalid bill_date");
  if (now < dayStart + DAY_MS + BILL_READY_AFTER_MS) return returnFail("Bill Creating");
  const text = tradeBillText(ctx, req.merchant.mchId, dayStart, billType);
  if (text === undefined) return returnFail("No Bill Exist");
  if (req.fields.tar_type === "GZIP")
    return { body: gzipSync(Buffer.from(text, "utf8")), contentType: "application/x-gzip" };
  return { body: text, contentType: "text/plain; charset=utf-8" };
}

/**
 * The trade bill of one Beijing day (`dayStart` = its 00:00) as WeChat's text table: a header row, one row per
 * payment and refund with every field prefixed by "`", then the summary. Undefined when the day has no trades.
 */
export function tradeBillText(
  ctx: SimContext,
  mchId: string,
  dayStart: number,
  billType: string,
): string | undefined {
  const dayEnd = dayStart + DAY_MS;

  const lines: string[] = [];
  let count = 0;
  let settled = 0;
  let refundedTotal = 0;
  let feeTotal = 0;
  let ordersTotal = 0;
  let requestedRefundTotal = 0;
  if (billType === "ALL" || billType === "SUCCESS") {
    for (const o of ctx.state.orders.values()) {
      if (o.mchId !== mchId || o.paidAt === undefined || o.paidAt < dayStart || o.paidAt >= dayEnd) continue;
      const f = fee(o.totalFee);
      // prettier-ignore
      lines.push(
        row([
          dashedBeijingTime(o.paidAt), o.appId, mchId, "0", o.deviceInfo ?? "", o.transactionId ?? "", o.outTradeNo,
          o.payerOpenid ?? "", o.tradeType, "SUCCESS", o.bankType ?? "OTHERS", "CNY", fenToYuanString(o.totalFee), "0.00",
          "0", "0", "0.00", "0.00", "", "", o.body, o.attach ?? "", fenToYuanString(f), "0.60%",
          fenToYuanString(o.totalFee), "0.00", "",
        ]),
      );
      count += 1;
      settled += o.totalFee;
      feeTotal += f;
      ordersTotal += o.totalFee;
    }
  }
  if (billType === "ALL" || billType === "REFUND") {
    for (const r of ctx.state.refunds.values()) {
      if (r.mchId !== mchId || r.createdAt < dayStart || r.createdAt >= dayEnd) continue;
      const order = ctx.state.orders.get(ctx.state.orderKey(mchId, r.outTradeNo));
      const f = -fee(r.refundFee);
      // prettier-ignore
      lines.push(
        row([
          dashedBeijingTime(r.createdAt), r.appId, mchId, "0", order?.deviceInfo ?? "", r.transactionId, r.outTradeNo,
          order?.payerOpenid ?? "", order?.tradeType ?? "", "REFUND", order?.bankType ?? "OTHERS", "CNY", "0.00", "0.00",
          r.refundId, r.outRefundNo, fenToYuanString(r.refundFee), "0.00", "ORIGINAL", r.status, order?.body ?? "",
          order?.attach ?? "", fenToYuanString(f), "0.60%", "0.00", fenToYuanString(r.refundFee), "",
        ]),
      );
      count += 1;
      refundedTotal += r.refundFee;
      feeTotal += f;
      requestedRefundTotal += r.refundFee;
    }
  }
  if (lines.length === 0) return undefined;

  return (
    [
      HEADER,
      ...lines,
      SUMMARY_HEADER,
      row([
        count,
        fenToYuanString(settled),
        fenToYuanString(refundedTotal),
        "0.00",
        fenToYuanString(feeTotal),
        fenToYuanString(ordersTotal),
        fenToYuanString(requestedRefundTotal),
      ]),
    ].join("\r\n") + "\r\n"
  );
}
