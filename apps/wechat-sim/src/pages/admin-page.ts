// GET / and /__sim/admin — everything the simulator holds: merchants, apps, users, orders, refunds, and every
// notify attempt with the reply it got.
import { formatBeijingTime } from "@wxpay/wechatpay";

import type { SimContext } from "../context";
import { expireIfDue } from "../pay/orders";
import { openidFor } from "../state";
import { esc, page, yuan } from "./html";

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

export function adminPage(ctx: SimContext, refreshSeconds?: number): string {
  const { state, clock } = ctx;
  for (const o of state.orders.values()) expireIfDue(ctx, o);
  const apps = [...state.apps.values()];
  const merchants = table(
    ["mch_id", "名称", "key", "appid", "H5域名", "trade_type"],
    [...state.merchants.values()].map((m) => [
      esc(m.mchId),
      esc(m.name),
      `<code>${esc(m.key)}</code>`,
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
    const head = `${job.kind === "pay" ? "支付" : "退款"} #${job.id} <code>${esc(job.outTradeNo)}</code>${job.outRefundNo ? ` / <code>${esc(job.outRefundNo)}</code>` : ""}`;
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
        `${a.n}${a.extra ? ` (${esc(a.extra)})` : ""}`,
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
<h2>商户</h2>${merchants}<h2>应用</h2>${appRows}<h2>测试用户</h2>${users}<h2>订单</h2>${orders}<h2>退款</h2>${refunds}
<h2>通知</h2>${notifies}<h2>故障注入</h2>${faults}`,
  });
}
