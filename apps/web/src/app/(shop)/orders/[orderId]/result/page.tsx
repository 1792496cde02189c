import Link from "next/link";

import { OrderItems } from "~/components/order-items";
import { OrderResult } from "~/components/order-result";
import { textForAppCode, UNKNOWN_ERROR_TEXT } from "~/lib/error-text";
import { shopperClient } from "~/lib/shopper-client";
import { serverApi, tryServer } from "~/trpc/server";

import { OrderProblem } from "../order-problem";

export const metadata = { title: "支付结果 · 茶与器" };

/**
 * Where WeChat's H5 cashier returns (redirect_url) and JSAPI goes after the cashier. The status shown is the
 * server's (orderStatus asks WeChat for a pending order); the page never marks anything paid by itself.
 */
export default async function ResultPage(props: { params: Promise<{ orderId: string }> }) {
  const { orderId } = await props.params;
  const [client, api] = await Promise.all([shopperClient(), serverApi()]);
  const [order, session] = await Promise.all([
    tryServer(() => api.orderStatus({ orderId })),
    tryServer(() => api.session()),
  ]);
  if (!order.ok) {
    return <OrderProblem text={order.notFound ? textForAppCode("NOT_FOUND") : UNKNOWN_ERROR_TEXT} />;
  }
  return (
    <main>
      <OrderResult
        initial={order.data}
        kind={client.kind}
        hasOpenid={session.ok && session.data.hasOpenid}
        ios={client.ios}
        asWechat={client.asWechat}
      />
      <OrderItems order={order.data} />
      <p className="links">
        <Link href="/orders">我的订单</Link> · <Link href="/">继续逛逛</Link>
      </p>
    </main>
  );
}
