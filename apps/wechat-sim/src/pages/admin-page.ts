// GET / and /__sim/admin — everything the simulator holds: merchants, apps, users, orders, refunds, and every
// notify attempt with the reply it got.
import { formatBeijingTime } from "@wxpay/wechatpay";

import type { IncomingMessage, ServerResponse } from "node:http";

import type { SimContext } from "../context";
import { readBody, redirect } from "../http/io";
import { expireIfDue } from "../pay/orders";
import { openidFor } from "../state";
import { esc, page, yuan } from "./html";
import { browserUser, userCookie } from "./oauth-authorize";

const t = (ms: number | undefined) => {
  if (ms === undefined) return "";
  const s = formatBeijingTime(new Date(ms));
  return `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)} ${s.slice(8, 10)}:${s.slice(10, 12)}:${s.slice(12, 14)}`;
};

function table(headers: string[], rows: string[][], testid: string): string {
  if (rows.length === 0) return `<p class="muted" data-testid="${testid}">（无）</p>`;
  return `<table data-testid="${testid}"><tr>${headers.map((h) => `<th>${esc(h)}</th>`).join("")}</tr>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join("")}</tr>`)
    .join("")}</table>`;
}

/** POST /__sim/admin/browser-user: which test user this browser is in WeChat (OAuth, Native scan page). */
export async function adminBrowserUser(
  ctx: SimContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const form = new URLSearchParams((await readBody(req, 16 * 1024)).toString("utf8"));
  const user = ctx.state.users.get(form.get("user") ?? "");
  redirect(res, "/__sim/admin", user ? userCookie(user.userId) : {});
}

export function adminPage(
  ctx: SimContext,
  cookieJar: Record<string, string>,
  refreshSeconds?: number,
): string {
  const { state, clock } = ctx;
  for (const o of state.orders.values()) expireIfDue(ctx, o);
  const apps = [...state.apps.values()];
  const merchants = table(
    ["mch_id", "名称", "key", "APIv3 key", "证书序列号", "v3 签名方式", "appid", "H5域名", "trade_type"],
    [...state.merchants.values()].map((m) => [
      esc(m.mchId),
      esc(m.name),
      `<code>${esc(m.key)}</code>`,
      `<code>${esc(m.v3.apiV3Key)}</code>`,
      `<code>${esc(m.v3.mchSerial)}</code>`,
      `<span data-testid="signing-${esc(m.mchId)}">${esc(m.v3.signingMode)}</span>${m.v3.signingMode === "switching" ? ` (公钥 ${Math.round(m.v3.publicKeyShare * 100)}%)` : ""}`,
      esc(m.appIds.join(", ")),
      esc(m.h5Domains.join(", ")),
      esc(m.tradeTypes.join(", ")),
    ]),
    "admin-merchants",
  );
  const appRows = table(
    ["appid", "类型", "名称", "secret", "网页域名"],
    apps.map((a) => [
      esc(a.appId),
      a.kind === "official" ? "公众号" : "小程序",
      esc(a.name),
      `<code>${esc(a.secret)}</code>`,
      esc(a.webDomains.join(", ")),
    ]),
    "admin-apps",
  );
  const current = browserUser(ctx, cookieJar);
  const chooser = `<form method="post" action="/__sim/admin/browser-user" class="muted">本浏览器在微信中的用户（OAuth 静默授权、扫码页）：
<select name="user" data-testid="browser-user">${[...state.users.values()]
    .map(
      (u) =>
        `<option value="${esc(u.userId)}"${u.userId === current?.userId ? " selected" : ""}>${esc(u.nickname)} (${esc(u.userId)})</option>`,
    )
    .join("")}</select> <button data-testid="browser-user-save">保存</button></form>`;
  const users = table(
    ["userId", "昵称", ...apps.map((a) => `openid @ ${a.appId}`)],
    [...state.users.values()].map((u) => [
      esc(u.userId),
      esc(u.nickname),
      ...apps.map((a) => `<code>${esc(openidFor(a.appId, u.userId))}</code>`),
    ]),
    "admin-users",
  );
  const orders = table(
    [
      "创建",
      "mch_id",
      "out_trade_no",
      "API",
      "trade_type",
      "金额",
      "状态",
      "openid / 付款人",
      "transaction_id",
      "支付时间",
      "prepay_id",
    ],
    [...state.orders.values()]
      .sort((a, b) => b.createdAt - a.createdAt)
      .map((o) => [
        t(o.createdAt),
        esc(o.mchId),
        `<code>${esc(o.outTradeNo)}</code>`,
        esc(o.apiVersion),
        esc(o.tradeType),
        `¥${yuan(o.totalFee)}`,
        `<b class="${o.tradeState === "SUCCESS" || o.tradeState === "REFUND" ? "ok" : o.tradeState === "NOTPAY" ? "" : "bad"}">${esc(o.tradeState)}</b>`,
        `<code>${esc(o.payerOpenid ?? o.openid ?? "")}</code>`,
        `<code>${esc(o.transactionId ?? "")}</code>`,
        t(o.paidAt),
        `<code>${esc(o.prepayIds[o.prepayIds.length - 1] ?? "")}</code>`,
      ]),
    "admin-orders",
  );
  const refunds = table(
    ["申请", "out_trade_no", "out_refund_no", "refund_id", "退款金额", "状态", "完成"],
    [...state.refunds.values()].map((r) => [
      t(r.createdAt),
      `<code>${esc(r.outTradeNo)}</code>`,
      `<code>${esc(r.outRefundNo)}</code>`,
      `<code>${esc(r.refundId)}</code>`,
      `¥${yuan(r.refundFee)}`,
      esc(r.status),
      t(r.successAt),
    ]),
    "admin-refunds",
  );
  const attempts: string[][] = [];
  for (const job of [...state.notifyJobs].reverse()) {
    const head = `${job.kind === "pay" ? "支付" : "退款"} ${job.apiVersion}${job.eventType ? ` ${esc(job.eventType)}` : ""} #${job.id} <code>${esc(job.outTradeNo)}</code>${job.outRefundNo ? ` / <code>${esc(job.outRefundNo)}</code>` : ""}`;
    if (job.attempts.length === 0) {
      attempts.push([
        head,
        esc(job.url),
        esc(job.status),
        "",
        "",
        "",
        "",
        job.nextAttemptAt ? `下次 ${t(job.nextAttemptAt)}` : "",
      ]);
    }
    for (const a of job.attempts) {
      attempts.push([
        head,
        esc(job.url),
        esc(job.status),
        `${a.n}${a.extra ? ` (${esc(a.extra)})` : ""}${a.probe ? " (签名探测)" : ""}${a.headers ? `<br><span class="muted">${esc(a.headers["Wechatpay-Serial"] ?? "")}</span>` : ""}`,
        t(a.startedAt),
        `<b class="${a.outcome === "SUCCESS" ? "ok" : "bad"}">${esc(a.outcome ?? "…")}</b> ${a.httpStatus ?? ""} ${a.realDurationMs ?? ""}${a.realDurationMs !== undefined ? "ms" : ""}`,
        `<pre>${esc(a.reply ?? a.error ?? "")}</pre>`,
        job.nextAttemptAt ? `下次 ${t(job.nextAttemptAt)}` : "",
      ]);
    }
  }
  const notifies = table(
    ["通知", "notify_url", "状态", "次序", "发送时间", "结果", "商户应答", "重试"],
    attempts,
    "admin-notifies",
  );
  const faults = table(
    ["id", "范围", "规则"],
    state.faults.map((f) => [
      String(f.id),
      esc(`${f.scope.mchId}${f.scope.outTradeNo ? ` / ${f.scope.outTradeNo}` : ""}`),
      `<code>${esc(JSON.stringify(f.rule))}</code>`,
    ]),
    "admin-faults",
  );
  return page({
    title: "wechat-sim 管理",
    wide: true,
    head: refreshSeconds ? `<meta http-equiv="refresh" content="${refreshSeconds}">` : "",
    body: `<h1>wechat-sim</h1>
<p class="muted">模拟时间 ${t(clock.now())}（北京时间）· 时间倍率 ${clock.timeScale} · ${esc(ctx.config.publicUrl)} ·
<a href="?refresh=3">自动刷新</a> · JSON: <a href="/__sim/orders">orders</a> <a href="/__sim/notifies">notifies</a> <a href="/__sim/info">info</a></p>
<h2>商户</h2>${merchants}<h2>应用</h2>${appRows}<h2>测试用户</h2>${chooser}${users}<h2>订单</h2>${orders}<h2>退款</h2>${refunds}
<h2>通知</h2>${notifies}<h2>故障注入</h2>${faults}`,
  });
}
