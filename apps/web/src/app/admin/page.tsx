import { adminQuery } from "~/server/admin-caller";

import { BarChart } from "./charts";
import { formatYuan } from "./format";

export const dynamic = "force-dynamic";

const pct = (paid: number, created: number) =>
  created === 0 ? "—" : `${Math.round((paid * 1000) / created) / 10}%`;

export default async function AdminOverviewPage() {
  const o = await adminQuery((a) => a.overview());
  const today = o.days.at(-1);
  const sum = (k: "paidFen" | "created" | "paid" | "refundedFen" | "refunds") =>
    o.days.reduce((s, d) => s + d[k], 0);
  return (
    <>
      <h1>概览</h1>
      <div className="cards">
        <div className="card" data-testid="today-paid">
          <div className="muted">今日收款</div>
          <div className="big">{formatYuan(today?.paidFen ?? 0)}</div>
          <div className="muted">
            {today?.paid ?? 0} 笔支付 / {today?.created ?? 0} 笔下单
          </div>
        </div>
        <div className="card">
          <div className="muted">近 14 天收款</div>
          <div className="big">{formatYuan(sum("paidFen"))}</div>
          <div className="muted">
            {sum("paid")} 笔支付 / {sum("created")} 笔下单
          </div>
        </div>
        <div className="card">
          <div className="muted">近 14 天退款</div>
          <div className="big">{formatYuan(sum("refundedFen"))}</div>
          <div className="muted">{sum("refunds")} 笔</div>
        </div>
        <div className="card">
          <div className="muted">待核对订单</div>
          <div className="big">
            <a href="/admin/review">{o.inReview}</a>
          </div>
        </div>
      </div>
      <BarChart
        testId="chart-paid"
        title="每日收款（元）"
        data={o.days.map((d) => ({ label: d.day, value: d.paidFen }))}
        format={formatYuan}
      />
      <BarChart
        testId="chart-orders"
        title="每日下单数"
        data={o.days.map((d) => ({ label: d.day, value: d.created }))}
        format={String}
      />
      <h2>各渠道转化（近 14 天下单并发起支付的订单，按最近一次支付的渠道；已支付含已退款与待核对）</h2>
      <table>
        <thead>
          <tr>
            <th>渠道</th>
            <th>发起支付</th>
            <th>已支付</th>
            <th>转化率</th>
          </tr>
        </thead>
        <tbody>
          {o.channels.map((c) => (
            <tr key={c.channel}>
              <td>{c.channel}</td>
              <td className="num">{c.attempted}</td>
              <td className="num">{c.paid}</td>
              <td className="num">{pct(c.paid, c.attempted)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>支付通知结论（近 14 天）</h2>
      <table>
        <tbody>
          {o.verdicts.map((v) => (
            <tr key={v.verdict}>
              <td className={v.verdict === "APPLIED" || v.verdict === "DUPLICATE" ? "" : "bad"}>
                {v.verdict}
              </td>
              <td className="num">{v.count}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
