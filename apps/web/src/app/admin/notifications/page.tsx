import Link from "next/link";

import { adminQuery } from "~/server/admin-caller";

import { beijing } from "../format";

export const dynamic = "force-dynamic";

export default async function AdminNotificationsPage(props: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const failingOnly = (await props.searchParams).failing === "1";
  const rows = await adminQuery((a) => a.notifications({ failingOnly }));
  return (
    <>
      <h1>支付通知</h1>
      <p>
        {failingOnly ? (
          <Link href="/admin/notifications">全部</Link>
        ) : (
          <Link href="?failing=1">只看异常</Link>
        )}
        <span className="muted"> · 异常结论排在前面，其余按时间倒序（最多 200 条）</span>
      </p>
      <table data-testid="notifications-table">
        <thead>
          <tr>
            <th>时间</th>
            <th>结论</th>
            <th>订单</th>
            <th>out_trade_no</th>
            <th>来源地址</th>
            <th>说明</th>
            <th>回复</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((n) => (
            <tr key={n.id}>
              <td>{beijing(n.receivedAt)}</td>
              <td className={n.verdict === "APPLIED" || n.verdict === "DUPLICATE" ? "" : "bad"}>
                {n.verdict}
              </td>
              <td>{n.orderId ? <Link href={`/admin/orders/${n.orderId}`}>{n.orderId}</Link> : "—"}</td>
              <td>{n.outTradeNo ?? "—"}</td>
              <td>{n.remoteAddr ?? "—"}</td>
              <td>{n.detail ?? ""}</td>
              <td>
                <pre>{n.reply}</pre>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
