import Link from "next/link";

import type { RouterOutputs } from "@wxpay/api";

import { DesktopNotice } from "~/components/desktop-notice";
import { NativePay } from "~/components/native-pay";
import { OrderItems } from "~/components/order-items";
import { PayPanel } from "~/components/pay-panel";
import { StatusBadge } from "~/components/status-badge";
import { env } from "~/env";
import { textForAppCode, UNKNOWN_ERROR_TEXT } from "~/lib/error-text";
import { formatYuan } from "~/lib/money";
import type { TNativeCode } from "~/lib/native-code";
import { nativeCodeFor } from "~/lib/native-code";
import { shopperClient } from "~/lib/shopper-client";
import { serverApi, tryServer } from "~/trpc/server";

import { OrderProblem } from "./order-problem";

type TOrderView = RouterOutputs["orderStatus"];

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
  // A desktop browser pays by Native: the QR code is rendered here, so the order needs its code_url first (WeChat
  // hands the same live one back on re-entry). The page never learns from the client whether it was paid.
  const native =
    o.status === "PENDING" && client.kind === "desktop" ? await nativeCodeFor(o.orderId) : undefined;
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
        <DesktopPay order={o} native={native} handoffUrl={handoff?.ok ? handoff.data.url : undefined} />
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

const HANDOFF_TEXT =
  "用手机微信扫描下面的二维码，或在手机浏览器中打开链接，在手机上继续支付。二维码 2 分钟内有效，只能使用一次；过期请刷新本页。";
// WeChat: a Native code_url is valid for 2 hours at most (and never past the order's time_expire).
const CODE_URL_TTL_MS = 2 * 60 * 60 * 1000;

/** Desktop: WeChat Pay Native (a QR code to scan) first, continuing on a phone second. */
function DesktopPay(props: {
  order: TOrderView;
  native: TNativeCode | undefined;
  handoffUrl: string | undefined;
}) {
  const { order, native } = props;
  const handoff = (
    <DesktopNotice
      // The phone has no session of this browser: the single-use, 2-minute handoff link carries it over.
      href={props.handoffUrl ?? `${env().APP_URL}/orders/${order.orderId}`}
      title="在手机上继续支付"
      text={HANDOFF_TEXT}
    />
  );
  if (native?.kind === "confirm") {
    return (
      <>
        <section className="card" data-testid="native-confirm">
          <p>电脑上可以用微信扫码支付。</p>
          <a className="btn btn-primary" href={`/orders/${order.orderId}`}>
            显示付款二维码
          </a>
        </section>
        {handoff}
      </>
    );
  }
  const result = native?.result;
  if (result?.ok && result.data.channel === "native") {
    const validUntil = new Date(
      Math.min(new Date(order.expiresAt).getTime(), Date.now() + CODE_URL_TTL_MS),
    ).toISOString();
    return (
      <NativePay order={order} codeUrl={result.data.codeUrl} validUntil={validUntil}>
        {handoff}
      </NativePay>
    );
  }
  // No QR code to show (the order closed meanwhile, WeChat refused, too many attempts): say why; the phone still works.
  const why = result && !result.ok && result.appCode ? textForAppCode(result.appCode) : UNKNOWN_ERROR_TEXT;
  return (
    <>
      <p className="card error" role="alert" data-testid="native-problem">
        暂时无法显示支付二维码：{why}
      </p>
      {handoff}
    </>
  );
}
