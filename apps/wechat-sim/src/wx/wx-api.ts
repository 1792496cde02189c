// The back end of the mini-program `wx` shim: wx.login codes and wx.requestPayment.
import type { SimContext } from "../context";
import { settlePayment, type PayDecision } from "../pay/settle-payment";
import { verifyClientPay } from "../pay/verify-client-pay";
import { issueCode } from "../platform/auth-codes";
import { openidFor } from "../state";

export type WxReply = { status: number; body: Record<string, unknown> };
const str = (v: unknown) => (typeof v === "string" ? v : "");

/** wx.login: a code for jscode2session, valid 5 minutes, single use. */
export function wxLogin(ctx: SimContext, body: Record<string, unknown>): WxReply {
  const app = ctx.state.apps.get(str(body.appId));
  if (!app || app.kind !== "mini") return { status: 200, body: { errMsg: "login:fail invalid appid" } };
  const userId = str(body.userId) || [...ctx.state.users.keys()][0] || "";
  if (!ctx.state.users.has(userId)) return { status: 200, body: { errMsg: "login:fail unknown user" } };
  const code = issueCode(ctx, "login", app.appId, userId, "");
  return { status: 200, body: { errMsg: "login:ok", code: code.code } };
}

/** wx.requestPayment: errMsg exactly as WeChat's: requestPayment:ok / requestPayment:fail cancel / requestPayment:fail <detail>. */
export function wxRequestPayment(ctx: SimContext, body: Record<string, unknown>): WxReply {
  const reply = (errMsg: string) => ({ status: 200, body: { errMsg } });
  const check = verifyClientPay(ctx, body, "mini");
  if (!check.ok) return reply(`requestPayment:fail ${check.message}`);
  const userId = str(body.userId);
  // The mini-program's logged-in user must be the one the order was made for.
  if (userId && check.order.openid !== openidFor(check.order.appId, userId)) {
    return reply("requestPayment:fail 当前用户与下单用户不一致");
  }
  const action = str(body.action);
  const decision: PayDecision = action === "cancel" || action === "fail" ? action : "ok";
  const settled = settlePayment(ctx, check.order, decision, check.order.openid);
  if (!settled.ok) return reply("requestPayment:fail 订单已失效");
  if (decision === "cancel") return reply("requestPayment:fail cancel");
  if (decision === "fail") return reply("requestPayment:fail 支付失败，请稍后再试");
  return reply("requestPayment:ok");
}
