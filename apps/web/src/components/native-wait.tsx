"use client";

import { useRouter } from "next/navigation";
import type { ReactNode } from "react";
import { useEffect, useState } from "react";

import type { RouterOutputs } from "@wxpay/api";

import { errorText } from "~/lib/error-text";

import styles from "./native-pay.module.css";
import { usePolledOrderStatus } from "./use-order-status";

/**
 * The live part of Native payment: shows the QR code (children) while the order waits for payment and the code is
 * valid, asks orderStatus with back-off, and opens the result page as soon as the server knows the outcome.
 */
export function NativeWait(props: {
  initial: RouterOutputs["orderStatus"];
  validUntil: string;
  children: ReactNode;
}) {
  const router = useRouter();
  const { order, query, pollingStopped, checkedByHand, checkAgain } = usePolledOrderStatus(props.initial);
  const [lapsed, setLapsed] = useState(false);
  const resultHref = `/orders/${order.orderId}/result`;
  const pending = order.status === "PENDING";

  useEffect(() => {
    // WeChat: code_url stops working at the order's time_expire (and 2 hours after it was issued at the latest).
    const ms = new Date(props.validUntil).getTime() - Date.now();
    if (ms <= 0) {
      setLapsed(true);
      return;
    }
    const timer = setTimeout(() => setLapsed(true), Math.min(ms, 2 ** 31 - 1));
    return () => clearTimeout(timer);
  }, [props.validUntil]);

  useEffect(() => {
    if (order.status === "PAID" || order.status === "PAID_NEEDS_REVIEW") router.replace(resultHref);
  }, [order.status, router, resultHref]);

  if (order.status === "CLOSED") {
    return (
      <div className={styles.state} data-testid="native-state" data-state="closed">
        <p className="error" role="alert">
          订单已关闭，没有扣款。如需购买，请重新下单。
        </p>
        <a className="btn btn-primary" href="/">
          重新下单
        </a>
      </div>
    );
  }
  if (!pending) {
    return (
      <div className={styles.state} data-testid="native-state" data-state="done">
        <p className="notice" role="status">
          已收到支付结果，正在打开结果页…
        </p>
        <a href={resultHref}>查看支付结果</a>
      </div>
    );
  }
  if (lapsed) {
    return (
      <div className={styles.state} data-testid="native-state" data-state="lapsed">
        <p className="warn" role="status">
          二维码已过期。如果你已经付款，请先查询支付结果；否则刷新本页获取新的二维码。
        </p>
        <button type="button" className="btn btn-primary" onClick={() => window.location.reload()}>
          刷新二维码
        </button>
        <button type="button" className="btn btn-secondary" onClick={checkAgain} data-testid="check-paid">
          已完成支付
        </button>
      </div>
    );
  }
  return (
    <div className={styles.state} data-testid="native-state" data-state="waiting">
      {props.children}
      <p className={styles.waiting} aria-live="polite" data-testid="poll-state">
        {pollingStopped
          ? "还没有收到付款结果。如果你已付款，请点「已完成支付」再查一次。"
          : checkedByHand && !query.isFetching
            ? "暂未查到付款，本页会继续自动查询。"
            : "等待支付中，付款后本页会自动跳转"}
      </p>
      {query.isError && (
        <p className="error" role="alert">
          {errorText(query.error)}
        </p>
      )}
      {(pollingStopped || checkedByHand) && (
        <button
          type="button"
          className="btn btn-secondary"
          disabled={query.isFetching}
          onClick={checkAgain}
          data-testid="check-paid"
        >
          已完成支付
        </button>
      )}
    </div>
  );
}
