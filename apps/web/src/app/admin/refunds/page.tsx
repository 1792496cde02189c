import Link from "next/link";

import { adminQuery } from "~/server/admin-caller";

import { beijing, formatYuan } from "../format";

export const dynamic = "force-dynamic";

const STATUS: Record<string, string> = {
  REQUESTED: "已提交",
  SUCCESS: "已到账",
  CHANGE: "退款异常",
  REFUNDCLOSE: "已关闭",
  FAILED: "失败",
};

export default async function AdminRefundsPage(props: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const after = (await props.searchParams).after;
  const [afterAt, afterNo] = typeof after === "string" ? after.split("|") : [];
  const r = await adminQuery((a) =>
    a.refunds({
      limit: 50,
      ...(afterAt && afterNo ? { cursor: { createdAt: afterAt, outRefundNo: afterNo } } : {}),
    }),
  );
  return (
    <>
      <h1>退款</h1>
      <p className="muted">
        本店发起的退款（订单页、待核对的一键退款、命令行）和在商户平台发起、由微信通知带回的退款。部分退款：一笔支付可多次退款，合计不超过支付金额。
      </p>
      <table data-testid="refunds-list">
        <thead>
          <tr>
            <th>退款单号</th>
            <th>订单</th>
            <th>支付单</th>
            <th>金额</th>
            <th>状态</th>
            <th>来源</th>
            <th>原因</th>
            <th>API</th>
            <th>发起时间</th>
            <th>到账时间</th>
          </tr>
        </thead>
        <tbody>
          {r.rows.map((x) => (
            <tr key={x.outRefundNo}>
              <td>{x.outRefundNo}</td>
              <td>
                <Link href={`/admin/orders/${x.orderId}`}>{x.orderId}</Link>
              </td>
              <td>{x.outTradeNo}</td>
              <td className="num nowrap">{formatYuan(x.refundFeeFen)}</td>
              <td className={x.status === "CHANGE" || x.status === "FAILED" ? "bad nowrap" : "nowrap"}>
                {STATUS[x.status] ?? x.status}
              </td>
              <td className="nowrap">{x.origin === "SHOP" ? "本店" : "商户平台"}</td>
              <td>{x.reason ?? "—"}</td>
              <td>{x.apiVersion}</td>
              <td className="nowrap">{beijing(x.createdAt)}</td>
              <td className="nowrap">{beijing(x.succeededAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {r.rows.length === 0 && <p className="muted">还没有退款。</p>}
      {r.next && (
        <Link
          href={`/admin/refunds?after=${encodeURIComponent(`${r.next.createdAt}|${r.next.outRefundNo}`)}`}
        >
          更早 →
        </Link>
      )}
    </>
  );
}
