"use client";

import type { RouterOutputs } from "@wxpay/api";

import type { TClientKind } from "~/lib/client-kind";
import { errorText } from "~/lib/error-text";
import { formatYuan } from "~/lib/money";
import { statusText } from "~/lib/order-status";

import { PayPanel } from "./pay-panel";
import { usePolledOrderStatus } from "./use-order-status";

type TOrderView = RouterOutputs["orderStatus"];

/**
 * The result page's live part. The status always comes from the server's orderStatus (which asks WeChat for a
 * pending order), never from the redirect that brought the shopper here: WeChat returns to this page after a
 * payment, a cancel or simply five seconds in its cashier alike.
 */
export function OrderResult(props: {
  initial: TOrderView;
  kind: TClientKind;
  hasOpenid: boolean;
  ios: boolean;
  asWechat: boolean;
}) {
  const { order, query, pollingStopped, checkedByHand, checkAgain } = usePolledOrderStatus(props.initial);
  const text = statusText(order.status);
  const pending = order.status === "PENDING";

  return (
    <section className={`result result-${text.tone}`} data-testid="order-result" data-status={order.status}>
      <div className="result-icon" aria-hidden="true">
        {text.tone === "ok" ? "✓" : text.tone === "wait" ? "…" : text.tone === "warn" ? "!" : "×"}
      </div>
      <h1 data-testid="status-title">{text.title}</h1>
      <p className="amount">{formatYuan(order.amountFen)}</p>
      <p className="detail">{text.detail}</p>
      {pending && (
        <div className="result-actions">
          <p className="notice" aria-live="polite" data-testid="poll-state">
            {query.isFetching
              ? "正在向微信支付查询…"
              : pollingStopped
                ? "还没有收到付款结果。如果你已付款，请点「已完成支付」再查一次。"
                : checkedByHand
                  ? "暂未查到付款，本页会继续自动查询。"
                  : "本页会自动查询支付结果。"}
          </p>
          {query.isError && (
            <p className="error" role="alert">
              {errorText(query.error)}
            </p>
          )}
          <button
            type="button"
            className="btn btn-primary"
            disabled={query.isFetching}
            onClick={checkAgain}
            data-testid="check-paid"
          >
            已完成支付
          </button>
          {props.kind === "mobile" ? (
            <PayPanel
              orderId={order.orderId}
              kind="mobile"
              hasOpenid={props.hasOpenid}
              ios={props.ios}
              asWechat={props.asWechat}
              label="重新支付"
              secondary
            />
          ) : (
            // Inside WeChat, payment starts from the order's pay page loaded in full (JS-SDK URL and JSAPI
            // payment directory); on a desktop that page explains how to pay on a phone.
            <a className="btn btn-secondary" href={`/orders/${order.orderId}`} data-testid="repay-link">
              重新支付
            </a>
          )}
        </div>
      )}
    </section>
  );
}
