// Ask WeChat (orderquery, signed reply) about one attempt and apply what it says through the notify's own
// transition. Used by orderStatus, by prepay on ORDERPAID, and by reconciliation.
import { eq } from "drizzle-orm";

import { paymentAttempts } from "@wxpay/db";
import type { TPaymentAttemptRow } from "@wxpay/db/schema";

import type { CoreDeps } from "../deps";
import { gatewayFor } from "../gateway/payment-gateway";
import type { TApplyResult } from "./apply-payment";
import { applyPayment } from "./apply-payment";
import { retireAttempt } from "./prepay";

export type TSyncResult =
  | { kind: "paid"; applied: TApplyResult }
  | { kind: "unpaid"; tradeState: string }
  | { kind: "closed"; tradeState: string }
  | { kind: "not-at-wechat" };

export async function syncAttempt(
  deps: CoreDeps,
  attempt: Pick<TPaymentAttemptRow, "id" | "outTradeNo" | "appid" | "createdAt" | "apiVersion">,
): Promise<TSyncResult> {
  const q = await gatewayFor(deps, attempt.apiVersion).queryOrder({
    outTradeNo: attempt.outTradeNo,
    appId: attempt.appid,
  });
  // Unknown to WeChat: the prepay request never reached it (or timed out before it did).
  if (!q.found) return { kind: "not-at-wechat" };
  if (
    q.tradeState === "SUCCESS" ||
    (q.tradeState === "REFUND" && q.transactionId && q.totalFeeFen !== undefined)
  ) {
    const applied = await deps.db.transaction((tx) =>
      applyPayment(
        tx,
        {
          source: "orderquery",
          appId: q.appId,
          mchId: q.mchId,
          outTradeNo: q.outTradeNo,
          transactionId: q.transactionId ?? "",
          totalFeeFen: q.totalFeeFen ?? 0,
          feeType: q.feeType ?? "CNY",
          paidAt: q.paidAt ?? deps.now(),
        },
        deps.now(),
        deps.log,
      ),
    );
    return { kind: "paid", applied };
  }
  if (q.tradeState === "PAYERROR") {
    // WeChat: after a failed payment, close the out_trade_no before paying again under a new one ("要对原订单号调用
    // 关单，避免重复支付"): it stops being live here, and reconciliation closes it at WeChat, then here.
    await retireAttempt(
      deps.db,
      attempt,
      deps.now(),
      `trade_state PAYERROR ${q.tradeStateDesc ?? ""}`.trim(),
    );
    return { kind: "unpaid", tradeState: q.tradeState };
  }
  // Closed at WeChat already (or revoked): nothing left to close there.
  if (q.tradeState === "CLOSED" || q.tradeState === "REVOKED") {
    await deps.db
      .update(paymentAttempts)
      .set({ status: "CLOSED", closedAt: deps.now(), nextCheckAt: null, updatedAt: deps.now() })
      .where(eq(paymentAttempts.id, attempt.id));
    return { kind: "closed", tradeState: q.tradeState };
  }
  return { kind: "unpaid", tradeState: q.tradeState };
}
