import Link from "next/link";

import { StatusBadge } from "~/components/status-badge";
import { formatBeijingDateTime } from "~/lib/datetime";
import { formatYuan } from "~/lib/money";
import { serverApi, tryServer } from "~/trpc/server";

export const metadata = { title: "我的订单 · 茶与器" };

/** The orders of this browser's session, newest first; rendered on the server, no script of its own. */
export default async function MyOrdersPage() {
  const api = await serverApi();
  const orders = await tryServer(() => api.myOrders());
  return (
    <main>
      <h1>我的订单</h1>
      {!orders.ok ? (
        <p className="error">订单加载失败，请稍后刷新重试。</p>
      ) : orders.data.length === 0 ? (
        <section className="card" data-testid="no-orders">
          <p>这个浏览器里还没有订单。</p>
          <Link href="/" className="btn btn-primary">
            去逛逛
          </Link>
        </section>
      ) : (
        <ul className="order-list" data-testid="order-list">
          {orders.data.map((o) => {
            const summary = o.items.map((i) => `${i.title} ×${i.qty}`).join("、");
            const href = o.status === "PENDING" ? `/orders/${o.orderId}` : `/orders/${o.orderId}/result`;
            return (
              <li key={o.orderId} className="card order-row" data-order-id={o.orderId}>
                <Link href={href}>
                  <div className="order-row-head">
                    <time dateTime={o.createdAt}>{formatBeijingDateTime(o.createdAt)}</time>
                    <StatusBadge status={o.status} />
                  </div>
                  <p className="order-row-items">{summary}</p>
                  <p className="order-row-foot">
                    <strong>{formatYuan(o.amountFen)}</strong>
                    <span className="order-row-action">{o.status === "PENDING" ? "去支付 ›" : "查看 ›"}</span>
                  </p>
                </Link>
              </li>
            );
          })}
        </ul>
      )}
    </main>
  );
}
