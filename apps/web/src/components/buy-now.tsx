"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";

import { errorText } from "~/lib/error-text";
import { api } from "~/trpc/react";

/** Quantity and "buy now": creates the order at server prices, then opens its confirm-and-pay page. */
export function BuyNow(props: { sku: string; title: string; fullPageLoad: boolean }) {
  const router = useRouter();
  const [qty, setQty] = useState(1);
  const [leaving, setLeaving] = useState(false);
  const createOrder = api.createOrder.useMutation({
    onSuccess(order) {
      setLeaving(true);
      const href = `/orders/${order.orderId}`;
      // In WeChat the pay page is reached by a full page load: the JS-SDK and the JSAPI payment directory are
      // checked against the URL the page was loaded at, not one changed by pushState.
      if (props.fullPageLoad) window.location.assign(href);
      else router.push(href);
    },
  });
  const busy = createOrder.isPending || leaving;
  return (
    <div className="buy-now">
      <div className="stepper" role="group" aria-label={`${props.title} 数量`}>
        <button
          type="button"
          aria-label="减少"
          disabled={busy || qty <= 1}
          onClick={() => setQty((q) => Math.max(1, q - 1))}
        >
          −
        </button>
        <output aria-live="polite" data-testid="qty">
          {qty}
        </output>
        <button
          type="button"
          aria-label="增加"
          disabled={busy || qty >= 99}
          onClick={() => setQty((q) => Math.min(99, q + 1))}
        >
          +
        </button>
      </div>
      <button
        type="button"
        className="btn btn-primary btn-small"
        disabled={busy}
        onClick={() => createOrder.mutate({ items: [{ sku: props.sku, qty }] })}
      >
        {busy ? "正在下单…" : "立即购买"}
      </button>
      {createOrder.isError && (
        <p className="error" role="alert">
          {errorText(createOrder.error)}
        </p>
      )}
    </div>
  );
}
