// The back end of the in-WeChat browser script (/jsbridge.js): what the WeChat client itself would check for
// wx.config (preVerifyJSAPI) and getBrandWCPayRequest, and the user's answer on the pay sheet.
import { randomBytes } from "node:crypto";

import { jsSdkSignature } from "@wxpay/wechatpay";

import type { SimContext } from "../context";
import { hostAllowed, yuan } from "../pages/html";
import { lookupPrepay } from "../pay/orders";
import { settlePayment, type PayDecision } from "../pay/settle-payment";
import { verifyClientPay } from "../pay/verify-client-pay";
import { liveTickets } from "../platform/credentials";

export type BridgeReply = { status: number; body: Record<string, unknown> };
const SHEET_LIFE_MS = 30 * 60 * 1000;

const str = (v: unknown) => (typeof v === "string" ? v : typeof v === "number" ? String(v) : "");

/** wx.config: the signature must be sha1 over the current jsapi_ticket, noncestr, timestamp and the page URL without '#…'. */
export function bridgeConfig(ctx: SimContext, body: Record<string, unknown>): BridgeReply {
  const appId = str(body.appId);
  const app = ctx.state.apps.get(appId);
  if (!app || app.kind !== "official") return { status: 200, body: { ok: false, errMsg: "invalid appid" } };
  let pageUrl: URL;
  try {
    pageUrl = new URL(str(body.url));
  } catch {
    return { status: 200, body: { ok: false, errMsg: "invalid url domain" } };
  }
  // WeChat: the page's domain must be a JS接口安全域名 of the account.
  if (!hostAllowed(pageUrl.hostname, app.webDomains))
    return { status: 200, body: { ok: false, errMsg: "invalid url domain" } };
  const url = str(body.url).split("#")[0] ?? "";
  const signature = str(body.signature).toLowerCase();
  const valid = liveTickets(ctx, appId).some(
    (t) =>
      jsSdkSignature({
        jsapiTicket: t.value,
        nonceStr: str(body.nonceStr),
        timestamp: str(body.timestamp),
        url,
      }) === signature,
  );
  ctx.log(`wx.config ${appId} ${url} -> ${valid ? "ok" : "invalid signature"}`);
  return { status: 200, body: valid ? { ok: true } : { ok: false, errMsg: "invalid signature" } };
}

/** getBrandWCPayRequest / chooseWXPay: check paySign and prepay_id, then hand back what the pay sheet shows. */
export function bridgePayRequest(ctx: SimContext, body: Record<string, unknown>): BridgeReply {
  const check = verifyClientPay(ctx, body, "official");
  if (!check.ok) {
    ctx.log(`bridge pay refused: ${check.message}`);
    return { status: 200, body: { ok: false, message: check.message } };
  }
  const token = randomBytes(16).toString("hex");
  ctx.state.pendingPays.set(token, {
    token,
    prepayId: check.prepay.prepayId,
    expiresAt: ctx.clock.now() + SHEET_LIFE_MS,
  });
  const merchant = ctx.state.merchants.get(check.order.mchId);
  return {
    status: 200,
    body: {
      ok: true,
      token,
      merchantName: merchant?.name ?? "",
      body: check.order.body,
      totalFee: check.order.totalFee,
      amount: `¥${yuan(check.order.totalFee)}`,
    },
  };
}

/** The user's choice on the pay sheet. The payer is the openid the prepay_id was made for. */
export function bridgePayConfirm(ctx: SimContext, body: Record<string, unknown>): BridgeReply {
  const pending = ctx.state.pendingPays.get(str(body.token));
  const action = str(body.action);
  const decision: PayDecision = action === "ok" || action === "fail" ? action : "cancel";
  if (!pending || ctx.clock.now() >= pending.expiresAt)
    return { status: 200, body: { result: "fail", message: "支付已超时" } };
  ctx.state.pendingPays.delete(pending.token);
  const found = lookupPrepay(ctx, pending.prepayId);
  if (!found.ok) return { status: 200, body: { result: "fail", message: "订单已失效" } };
  const settled = settlePayment(ctx, found.order, decision, found.order.openid);
  if (!settled.ok) return { status: 200, body: { result: "fail", message: "订单已失效" } };
  return { status: 200, body: { result: decision } };
}
