// GET /pay/scan?code_url=weixin://wxpay/bizpayurl?pr=… — what the WeChat app shows after 扫一扫 on a Native
// order's QR code: the merchant, the goods and the amount, and 支付 / 取消 / 失败 for a simulated user (the
// browser's remembered WeChat user by default). A desktop shop page polls its order while this page pays it.
import type { IncomingMessage, ServerResponse } from "node:http";

import type { SimContext } from "../context";
import { cookies, readBody, sendHtml } from "../http/io";
import { lookupCodeUrl } from "../pay/code-url";
import { settlePayment } from "../pay/settle-payment";
import { openidFor } from "../state";
import { errorPage, esc, page, yuan } from "./html";
import { browserUser } from "./oauth-authorize";

export function nativeScan(ctx: SimContext, req: IncomingMessage, res: ServerResponse, url: URL): void {
  const codeUrl = url.searchParams.get("code_url") ?? "";
  const found = lookupCodeUrl(ctx, codeUrl);
  if (!found.ok) return sendHtml(res, 200, errorPage("无法支付", found.message));
  const { order } = found;
  const merchant = ctx.state.merchants.get(order.mchId);
  const current = browserUser(ctx, cookies(req));
  const users = [...ctx.state.users.values()]
    .map(
      (u) =>
        `<option value="${esc(u.userId)}"${u.userId === current?.userId ? " selected" : ""}>${esc(u.nickname)} (${esc(u.userId)})</option>`,
    )
    .join("");
  sendHtml(
    res,
    200,
    page({
      title: "微信支付",
      body: `<div class="card" data-testid="native-scan">
<p class="center muted">${esc(merchant?.name ?? order.mchId)}</p>
<p class="center" data-testid="scan-description">${esc(order.body)}</p>
<div class="amount" data-testid="scan-amount">¥${yuan(order.totalFee)}</div>
<form method="post" action="/pay/scan/act">
<input type="hidden" name="code_url" value="${esc(codeUrl)}">
<label class="muted">付款用户（模拟器）<select name="user" data-testid="scan-user">${users}</select></label>
<button class="btn btn-primary" name="action" value="ok" data-testid="scan-pay">支付</button>
<button class="btn btn-default" name="action" value="cancel" data-testid="scan-cancel">取消</button>
<button class="btn btn-warn" name="action" value="fail" data-testid="scan-fail">失败</button>
</form></div>
<p class="muted center">微信支付模拟器 · 扫码支付（Native）</p>`,
    }),
  );
}

export async function nativeScanAct(
  ctx: SimContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const form = new URLSearchParams((await readBody(req, 64 * 1024)).toString("utf8"));
  const found = lookupCodeUrl(ctx, form.get("code_url") ?? "");
  if (!found.ok) return sendHtml(res, 200, errorPage("无法支付", found.message));
  const action = form.get("action");
  const decision = action === "ok" || action === "fail" ? action : "cancel";
  const user = ctx.state.users.get(form.get("user") ?? "") ?? [...ctx.state.users.values()][0];
  settlePayment(ctx, found.order, decision, user ? openidFor(found.order.appId, user.userId) : undefined);
  const [title, text] =
    decision === "ok"
      ? ["支付成功", "请在电脑上查看支付结果"]
      : decision === "fail"
        ? ["支付失败", "请重新扫码支付"]
        : ["已取消", "你已取消支付"];
  sendHtml(
    res,
    200,
    page({
      title,
      body: `<div class="card center" data-testid="scan-result" data-result="${decision}"><h1>${esc(title)}</h1><p class="muted">${esc(text)}</p></div>`,
    }),
  );
}
