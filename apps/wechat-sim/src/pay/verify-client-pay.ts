// What the WeChat client checks before it shows the cashier for JSAPI (WeixinJSBridge / chooseWXPay) and
// mini-program (wx.requestPayment) payments: a live prepay_id of this appid and a paySign over
// appId, timeStamp, nonceStr, package and signType made with the merchant's key and the order's sign type.
import { verifyPaySign } from "@wxpay/wechatpay";
import { verifySha256WithRsa } from "@wxpay/wechatpay/v3";

import type { SimContext } from "../context";
import type { Order, Prepay } from "../state";
import { lookupPrepay } from "./orders";

export type ClientPayParams = {
  appId: string;
  timeStamp: string;
  nonceStr: string;
  package: string;
  signType: string;
  paySign: string;
};

export type ClientPayCheck =
  | { ok: true; order: Order; prepay: Prepay }
  | { ok: false; message: string; reason: "PARAMS" | "SIGN" | "PAID" | "CLOSED" };

/** Observed: WeChat shows this for a bad or missing package, an expired prepay_id, or another appId. */
const MISSING_TOTAL_FEE = "调用支付JSAPI缺少参数：total_fee";
const BAD_SIGN = "支付验证签名失败";

export function verifyClientPay(
  ctx: SimContext,
  p: Partial<ClientPayParams>,
  appKind: "official" | "mini",
): ClientPayCheck {
  const str = (v: unknown) => (typeof v === "string" ? v : "");
  const params: ClientPayParams = {
    appId: str(p.appId),
    timeStamp: str(p.timeStamp),
    nonceStr: str(p.nonceStr),
    package: str(p.package),
    signType: str(p.signType),
    paySign: str(p.paySign),
  };
  const app = ctx.state.apps.get(params.appId);
  if (!app || app.kind !== appKind) return { ok: false, message: MISSING_TOTAL_FEE, reason: "PARAMS" };
  const m = /^prepay_id=(.+)$/.exec(params.package);
  if (!m?.[1]) return { ok: false, message: MISSING_TOTAL_FEE, reason: "PARAMS" };
  const found = lookupPrepay(ctx, m[1]);
  if (!found.ok) {
    if (found.reason === "ORDER_PAID") return { ok: false, message: "该订单已支付", reason: "PAID" };
    if (found.reason === "ORDER_CLOSED") return { ok: false, message: "订单已关闭", reason: "CLOSED" };
    return { ok: false, message: MISSING_TOTAL_FEE, reason: "PARAMS" };
  }
  const { order, prepay } = found;
  if (order.appId !== params.appId || order.tradeType !== "JSAPI") {
    return { ok: false, message: MISSING_TOTAL_FEE, reason: "PARAMS" };
  }
  // WeChat: timeStamp is seconds since the epoch, as a string; milliseconds fail.
  if (!/^\d{1,10}$/.test(params.timeStamp)) return { ok: false, message: BAD_SIGN, reason: "SIGN" };
  // WeChat: signType must be the sign type of the unifiedorder call.
  if (params.signType !== order.signType) return { ok: false, message: BAD_SIGN, reason: "SIGN" };
  const merchant = ctx.state.merchants.get(order.mchId);
  if (!merchant) return { ok: false, message: MISSING_TOTAL_FEE, reason: "PARAMS" };
  if (order.signType === "RSA") {
    // v3: paySign is SHA256withRSA over `appId\ntimeStamp\nnonceStr\npackage\n` with the merchant's API key.
    const message = `${params.appId}\n${params.timeStamp}\n${params.nonceStr}\n${params.package}\n`;
    if (!verifySha256WithRsa(merchant.v3.mchCertPem, message, params.paySign))
      return { ok: false, message: BAD_SIGN, reason: "SIGN" };
  } else if (
    !verifyPaySign({ ...params, signType: order.signType }, [merchant.key, ...merchant.previousKeys])
  ) {
    return { ok: false, message: BAD_SIGN, reason: "SIGN" };
  }
  return { ok: true, order, prepay };
}
