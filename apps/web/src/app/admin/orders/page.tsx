import Link from "next/link";

import type { TChannel, TOrderStatus as TStatus } from "@wxpay/api";

import { adminQuery } from "~/server/admin-caller";

import { beijing, formatYuan, STATUS_LABEL } from "../format";
import { CHANNEL_LABEL } from "./channel-label";

export const dynamic = "force-dynamic";

type TSearch = Record<string, string | string[] | undefined>;
const one = (v: string | string[] | undefined) => (typeof v === "string" && v !== "" ? v : undefined);

/** A date typed in the form (Beijing day) → the instant it starts. */
const dayStart = (d: string | undefined, plusDays = 0) =>
  d && /^\d{4}-\d{2}-\d{2}$/.test(d)
    ? new Date(Date.parse(`${d}T00:00:00+08:00`) + plusDays * 86400_000).toISOString()
    : undefined;

export default async function AdminOrdersPage(props: { searchParams: Promise<TSearch> }) {
  const sp = await props.searchParams;
  const q = one(sp.q);
  const status = one(sp.status);
  const channel = one(sp.channel);
  const apiVersion = one(sp.apiVersion);
  const from = one(sp.from);
  const to = one(sp.to);
  const filter = {
    ...(q ? { q } : {}),
    ...(status && status in STATUS_LABEL ? { status: status as TStatus } : {}),
    ...(channel === "h5" || channel === "jsapi" || channel === "mini" || channel === "native"
      ? { channel: channel as TChannel }
      : {}),
    ...(apiVersion === "v2" || apiVersion === "v3" ? { apiVersion: apiVersion as "v2" | "v3" } : {}),
    ...(dayStart(from) ? { from: dayStart(from) } : {}),
    ...(dayStart(to, 1) ? { to: dayStart(to, 1) } : {}),
  };
  const after = one(sp.after);
  const [afterAt, afterId] = after ? after.split("|") : [];
  const page = await adminQuery((a) =>
    a.orders({
      ...filter,
      limit: 50,
      ...(afterAt && afterId ? { cursor: { createdAt: afterAt, id: afterId } } : {}),
    }),
  );
  const keep = new URLSearchParams(
    Object.entries({
      q,
      status: filter.status,
      channel: filter.channel,
      apiVersion: filter.apiVersion,
      from: filter.from,
      to: filter.to,
    }).filter((e): e is [string, string] => !!e[1]),
  );
  // The form's own values (Beijing days), for the next page's link.
  const keepForm = new URLSearchParams(
    Object.entries({ q, status, channel, apiVersion, from, to }).filter((e): e is [string, string] => !!e[1]),
  );
  const nextHref = page.next
    ? `/admin/orders?${new URLSearchParams([...keepForm, ["after", `${page.next.createdAt}|${page.next.id}`]]).toString()}`
    : undefined;
  return (
    <>
      <h1>订单</h1>
      <form className="inline" method="get">
        <label>
          订单号 / out_trade_no / transaction_id / 客户
          <input name="q" defaultValue={q} size={34} />
        </label>
        <label>
          状态
          <select name="status" defaultValue={status ?? ""}>
            <option value="">全部</option>
            {Object.entries(STATUS_LABEL).map(([k, v]) => (
              <option key={k} value={k}>
                {v}
              </option>
            ))}
          </select>
        </label>
        <label>
          渠道
          <select name="channel" defaultValue={channel ?? ""}>
            <option value="">全部</option>
            <option value="h5">H5</option>
            <option value="jsapi">公众号 JSAPI</option>
            <option value="mini">小程序</option>
            <option value="native">扫码 Native</option>
          </select>
        </label>
        <label>
          API 版本
          <select name="apiVersion" defaultValue={apiVersion ?? ""}>
            <option value="">全部</option>
            <option value="v2">v2</option>
            <option value="v3">v3</option>
          </select>
        </label>
        <label>
          从
          <input type="date" name="from" defaultValue={from} />
        </label>
        <label>
          到
          <input type="date" name="to" defaultValue={to} />
        </label>
        <button type="submit">查询</button>
        {/* A plain link: the export streams from the server straight to a file, whatever its size. */}
        <a className="button secondary" href={`/api/admin/orders/export?${keep.toString()}`} download>
          导出 CSV
        </a>
      </form>
      <table data-testid="orders-table">
        <thead>
          <tr>
            <th>订单号</th>
            <th>金额</th>
            <th>状态</th>
            <th>渠道</th>
            <th>API</th>
            <th>微信支付单号</th>
            <th>下单时间</th>
            <th>支付时间</th>
          </tr>
        </thead>
        <tbody>
          {page.rows.map((o) => (
            <tr key={o.orderId}>
              <td>
                <Link href={`/admin/orders/${o.orderId}`}>{o.orderId}</Link>
              </td>
              <td className="num">{formatYuan(o.amountFen)}</td>
              <td>{STATUS_LABEL[o.status] ?? o.status}</td>
              <td>{o.channel ? CHANNEL_LABEL[o.channel] : "—"}</td>
              <td>{o.apiVersion ?? "—"}</td>
              <td>{o.transactionId ?? "—"}</td>
              <td>{beijing(o.createdAt)}</td>
              <td>{beijing(o.paidAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {page.rows.length === 0 && <p className="muted">没有符合条件的订单。</p>}
      <p>{nextHref && <Link href={nextHref}>下一页 →</Link>}</p>
      <p className="muted">渠道与 API 版本指订单最近一次发起支付时所用的。</p>
    </>
  );
}
