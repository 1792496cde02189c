import Link from "next/link";

import { DesktopNotice } from "~/components/desktop-notice";
import { OrderItems } from "~/components/order-items";
import { PayPanel } from "~/components/pay-panel";
import { StatusBadge } from "~/components/status-badge";
import { env } from "~/env";
import { textForAppCode, UNKNOWN_ERROR_TEXT } from "~/lib/error-text";
import { formatYuan } from "~/lib/money";
import { shopperClient } from "~/lib/shopper-client";
import { serverApi, tryServer } from "~/trpc/server";

import { OrderProblem } from "./order-problem";

export const metadata = { title: "确认订单 · 茶与器" };

/** Confirm and pay: the order as the server priced it, and the way this browser can pay for it. */
export default async function OrderPage(props: { params: Promise<{ orderId: string }> }) {
  const { orderId } = await props.params;
  const [client, api] = await Promise.all([shopperClient(), serverApi()]);
  const [order, session, handoff] = await Promise.all([
    tryServer(() => api.orderStatus({ orderId })),
    tryServer(() => api.session()),
    client.kind === "desktop" ? tryServer(() => api.handoffLink({ orderId })) : undefined,
  ]);
  if (!order.ok) {
    return <OrderProblem text={order.notFound ? textForAppCode("NOT_FOUND") : UNKNOWN_ERROR_TEXT} />;
  }
  const o = order.data;
  const hasOpenid = session.ok && session.data.hasOpenid;
  return (
    <main>
      <h1>
        确认订单 <StatusBadge status={o.status} />
      </h1>
      <OrderItems order={o} />
      {o.status !== "PENDING" ? (
        <p className="card">
          这笔订单{o.status === "PAID" ? "已经支付" : "已经不能支付"}，
          <Link href={`/orders/${o.orderId}/result`}>查看详情</Link>。
        </p>
      ) : client.kind === "desktop" ? (
        <DesktopNotice
          // The phone has no session of this browser: the single-use, 2-minute handoff link carries it over.
          href={handoff?.ok ? handoff.data.url : `${env().APP_URL}/orders/${o.orderId}`}
          title="请在手机上完成支付"
          text="电脑浏览器无法使用微信支付。请用手机微信扫描二维码，或在手机浏览器中打开下面的链接继续支付。二维码 2 分钟内有效，只能使用一次；过期请刷新本页。"
        />
      ) : (
        <div className="card pay-card">
          <p className="pay-method">
            {client.kind === "wechat" ? "微信支付" : "微信支付（将打开微信完成付款，付款后回到本页查看结果）"}
          </p>
          <PayPanel
            orderId={o.orderId}
            kind={client.kind}
            hasOpenid={hasOpenid}
            ios={client.ios}
            asWechat={client.asWechat}
            label={`微信支付 ${formatYuan(o.amountFen)}`}
          />
        </div>
      )}
    </main>
  );
}
