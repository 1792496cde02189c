import { adminQuery } from "~/server/admin-caller";

import { beijing, formatYuan, STATUS_LABEL } from "../../format";
import { RefundForm } from "./refund-form";
import { ResolveForm } from "./resolve-form";

export const dynamic = "force-dynamic";

export default async function AdminOrderPage(props: { params: Promise<{ orderId: string }> }) {
  const { orderId } = await props.params;
  const d = await adminQuery((a) => a.order({ orderId }));
  const o = d.order;
  return (
    <>
      <h1>
        订单 {o.orderId} <span data-testid="order-status">{STATUS_LABEL[o.status] ?? o.status}</span>
      </h1>
      <div className="card">
        <div>
          金额 {formatYuan(o.amountFen)} · 客户 {o.customerId} · 下单 {beijing(o.createdAt)} · 支付{" "}
          {beijing(o.paidAt)}
        </div>
        <div className="muted">{o.items.map((i) => `${i.title} × ${i.qty}`).join("，")}</div>
      </div>
      <h2>支付单</h2>
      <table>
        <thead>
          <tr>
            <th>out_trade_no</th>
            <th>渠道</th>
            <th>状态</th>
            <th>金额</th>
            <th>transaction_id</th>
            <th>可退</th>
          </tr>
        </thead>
        <tbody>
          {d.attempts.map((a) => {
            const r = d.refundable.find((x) => x.outTradeNo === a.outTradeNo);
            return (
              <tr key={a.outTradeNo}>
                <td>
                  {a.outTradeNo}
                  {a.own ? "（订单本身的支付）" : ""}
                </td>
                <td>{a.channel}</td>
                <td>{a.status}</td>
                <td className="num">{formatYuan(a.amountFen)}</td>
                <td>{a.transactionId ?? "—"}</td>
                <td className="num">{r ? formatYuan(r.leftFen) : "—"}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {d.refundable.some((r) => r.leftFen > 0) && (
        <RefundForm
          orderId={o.orderId}
          payments={d.refundable
            .filter((r) => r.leftFen > 0)
            .map((r) => ({
              ...r,
              own: d.attempts.find((a) => a.outTradeNo === r.outTradeNo)?.own ?? false,
            }))}
        />
      )}
      {o.status === "PAID_NEEDS_REVIEW" && <ResolveForm orderId={o.orderId} />}
      <h2>退款</h2>
      <table data-testid="refunds-table">
        <thead>
          <tr>
            <th>out_refund_no</th>
            <th>支付单</th>
            <th>金额</th>
            <th>状态</th>
            <th>来源</th>
            <th>原因</th>
            <th>时间</th>
          </tr>
        </thead>
        <tbody>
          {d.refunds.map((r) => (
            <tr key={r.outRefundNo}>
              <td>{r.outRefundNo}</td>
              <td>{r.outTradeNo}</td>
              <td className="num">{formatYuan(r.refundFeeFen)}</td>
              <td>{r.status}</td>
              <td>{r.origin}</td>
              <td>{r.reason ?? ""}</td>
              <td>{beijing(r.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>时间线</h2>
      <table data-testid="timeline">
        <tbody>
          {d.timeline.map((e, i) => (
            <tr key={i}>
              <td style={{ whiteSpace: "nowrap" }}>{beijing(e.at)}</td>
              <td>{e.kind}</td>
              <td>
                <div>{e.title}</div>
                <details>
                  <summary className="muted">详情</summary>
                  <pre>{JSON.stringify(e.detail, null, 2)}</pre>
                </details>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
