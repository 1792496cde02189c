import Link from "next/link";

import { adminQuery } from "~/server/admin-caller";

import { beijing, formatYuan } from "../format";
import { RefundExtra } from "./refund-extra";

export const dynamic = "force-dynamic";

const WHY: Record<string, string> = {
  PAID_NEEDS_REVIEW: "订单已支付、已关闭或已退款后又收到一笔付款",
  SECOND_TRANSACTION_ID: "同一支付单收到第二个微信支付单号",
  AMOUNT_MISMATCH: "支付金额与订单不符",
};

export default async function AdminReviewPage() {
  const items = await adminQuery((a) => a.review());
  return (
    <>
      <h1>待核对（{items.length}）</h1>
      <p className="muted">
        处理方式：一键退回多收的款项（确认后按剩余可退金额退款），或在订单页写明说明后标记为已核对（订单回到它应有的状态）。
      </p>
      <table data-testid="review-table">
        <thead>
          <tr>
            <th>订单</th>
            <th>订单金额</th>
            <th>原因</th>
            <th>更新时间</th>
            <th>多收的款项</th>
          </tr>
        </thead>
        <tbody>
          {items.map((o) => (
            <tr key={o.orderId}>
              <td>
                <Link href={`/admin/orders/${o.orderId}`}>{o.orderId}</Link>
              </td>
              <td className="num">{formatYuan(o.amountFen)}</td>
              <td>
                {o.why.map((w, i) => (
                  <div key={i}>
                    {WHY[w.type] ?? w.type}
                    {typeof w.data.totalFeeFen === "number"
                      ? `（${formatYuan(w.data.totalFeeFen)}）`
                      : ""} · {beijing(w.at)}
                  </div>
                ))}
              </td>
              <td>{beijing(o.updatedAt)}</td>
              <td>
                {o.extraPayments.length === 0 && <span className="muted">已全部退回或退款中</span>}
                {o.extraPayments.map((p) => (
                  <div key={p.outTradeNo}>
                    <RefundExtra orderId={o.orderId} outTradeNo={p.outTradeNo} leftFen={p.leftFen} />
                  </div>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
