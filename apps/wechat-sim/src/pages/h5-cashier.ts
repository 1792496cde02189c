// The page behind mweb_url (H5 payment in a mobile browser outside WeChat). WeChat's rules, in order:
// not inside WeChat; a Referer must be present and its host must be an authorised H5 domain, and so must
// redirect_url's; mweb_url works for 5 minutes. After Pay, Cancel or Fail the browser returns to redirect_url
// (or to the page that opened the cashier) whatever the outcome, so the merchant's page must query.
import type { IncomingMessage, ServerResponse } from "node:http";

import type { SimContext } from "../context";
import { readBody, redirect, sendHtml } from "../http/io";
import { lookupPrepay } from "../pay/orders";
import { settlePayment, type PayDecision } from "../pay/settle-payment";
import { openidFor } from "../state";
import { errorPage, esc, hostAllowed, page, yuan } from "./html";

const MSG_NO_REFERER = "商家参数格式有误，请联系商家解决";
const MSG_DOMAIN = "商家存在未配置的参数，请联系商家解决";
const MSG_EXPIRED = "支付请求已失效，请重新发起支付";
const MSG_IN_WECHAT = "请在微信外打开订单，进行支付";

function hostOf(raw: string): string | undefined {
  try {
    return new URL(raw).hostname;
  } catch {
    return undefined;
  }
}

export function h5Cashier(ctx: SimContext, req: IncomingMessage, res: ServerResponse, url: URL): void {
  const q = url.searchParams;
  const fail = (title: string, message: string) => sendHtml(res, 200, errorPage(title, message));
  if (/MicroMessenger/i.test(req.headers["user-agent"] ?? "")) return fail("无法支付", MSG_IN_WECHAT);

  const prepayId = q.get("prepay_id") ?? "";
  const prepay = ctx.state.prepays.get(prepayId);
  if (!prepay || prepay.mwebPackage === undefined || prepay.mwebPackage !== q.get("package")) {
    return fail("无法支付", MSG_NO_REFERER);
  }
  const merchant = ctx.state.merchants.get(prepay.mchId);
  if (!merchant) return fail("无法支付", MSG_NO_REFERER);

  // WeChat takes the paying site's domain from the Referer: none at all, or a typed URL, fails here.
  const referer = req.headers.referer ?? "";
  if (!referer) return fail("无法支付", MSG_NO_REFERER);
  const refererHost = hostOf(referer);
  if (!refererHost || !hostAllowed(refererHost, merchant.h5Domains)) return fail("无法支付", MSG_DOMAIN);
  const redirectUrl = q.get("redirect_url") ?? undefined;
  if (redirectUrl !== undefined) {
    const h = hostOf(redirectUrl);
    if (!h || !hostAllowed(h, merchant.h5Domains)) return fail("无法支付", MSG_DOMAIN);
  }
  // WeChat: mweb_url is valid for 5 minutes.
  if (ctx.clock.now() >= (prepay.mwebExpiresAt ?? 0)) return fail("页面已过期", MSG_EXPIRED);

  const found = lookupPrepay(ctx, prepayId);
  if (!found.ok) {
    if (found.reason === "ORDER_PAID") return fail("无法支付", "该订单已支付，请勿重复支付");
    if (found.reason === "ORDER_CLOSED") return fail("无法支付", "订单已关闭");
    return fail("页面已过期", MSG_EXPIRED);
  }
  const { order } = found;
  const users = [...ctx.state.users.values()]
    .map((u) => `<option value="${esc(u.userId)}">${esc(u.nickname)} (${esc(u.userId)})</option>`)
    .join("");
  const hidden = (name: string, value: string) =>
    `<input type="hidden" name="${name}" value="${esc(value)}">`;
  sendHtml(
    res,
    200,
    page({
      title: "微信支付",
      body: `<div class="card" data-testid="h5-cashier">
<p class="center muted">${esc(merchant.name)}</p>
<p class="center">${esc(order.body)}</p>
<div class="amount" data-testid="cashier-amount">¥${yuan(order.totalFee)}</div>
<form method="post" action="/pay/h5cashier/act">
${hidden("prepay_id", prepayId)}${hidden("package", prepay.mwebPackage)}${redirectUrl !== undefined ? hidden("redirect_url", redirectUrl) : ""}${hidden("return_to", referer)}
<label class="muted">付款用户（模拟器）<select name="user" data-testid="cashier-user">${users}</select></label>
<button class="btn btn-primary" name="action" value="ok" data-testid="cashier-pay">支付</button>
<button class="btn btn-default" name="action" value="cancel" data-testid="cashier-cancel">取消</button>
<button class="btn btn-warn" name="action" value="fail" data-testid="cashier-fail">失败</button>
</form></div>
<p class="muted center">微信支付模拟器 · 模拟银行失败请点“失败”</p>`,
    }),
  );
}

export async function h5CashierAct(
  ctx: SimContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const form = new URLSearchParams((await readBody(req, 64 * 1024)).toString("utf8"));
  const prepayId = form.get("prepay_id") ?? "";
  const prepay = ctx.state.prepays.get(prepayId);
  if (!prepay || prepay.mwebPackage !== form.get("package")) {
    return sendHtml(res, 200, errorPage("无法支付", MSG_NO_REFERER));
  }
  const action = form.get("action");
  const decision: PayDecision = action === "ok" || action === "fail" ? action : "cancel";
  const found = lookupPrepay(ctx, prepayId);
  if (found.ok) {
    const user = ctx.state.users.get(form.get("user") ?? "") ?? [...ctx.state.users.values()][0];
    settlePayment(ctx, found.order, decision, user ? openidFor(found.order.appId, user.userId) : undefined);
  }
  // WeChat returns to redirect_url (or the initiating page) after pay, cancel or failure alike.
  const back = form.get("redirect_url") ?? form.get("return_to") ?? "";
  const backHost = hostOf(back);
  const merchant = ctx.state.merchants.get(prepay.mchId);
  if (backHost && merchant && hostAllowed(backHost, merchant.h5Domains)) return redirect(res, back);
  sendHtml(
    res,
    200,
    page({
      title: "微信支付",
      body: `<div class="card center"><h1>已完成</h1><p class="muted">请返回商户页面查询支付结果</p></div>`,
    }),
  );
}
