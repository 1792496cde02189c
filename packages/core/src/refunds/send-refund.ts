// Sends one refund row to WeChat (secapi/pay/refund, mutual TLS) and records what came of it. The same out_refund_no
// is re-sent until WeChat accepts or refuses it (WeChat: "一笔退款失败后重新提交，请不要更换退款单号"); a failure that
// no retry can fix — WeChat refused it for good, or the request could not leave this shop because of its configuration
// — is final: the row says why, and the order is what its payments say again.
import { eq } from "drizzle-orm";

import { refunds } from "@wxpay/db";
import type { TPaymentAttemptRow, TRefundRow } from "@wxpay/db/schema";
import { WechatPayError, WechatPayTransportError } from "@wxpay/wechatpay";

import type { CoreDeps } from "../deps";
import { gatewayFor } from "../gateway/payment-gateway";
import { refusalOf } from "../gateway/refusal";
import { applyRefundResult } from "./apply-refund-result";

export const REFUND_NOTIFY_PATH = "/api/wechat/refund/notify";
export const REFUND_NOTIFY_PATH_V3 = "/api/wechat/v3/refund/notify";

export type TSendRefundResult = { ok: true } | { ok: false; final: boolean; why: string; error: unknown };

/** Whether a failed refund call can never succeed by re-sending it unchanged, and why, in one line. */
export function classifyRefundFailure(err: unknown): { final: boolean; why: string } {
  const refusal = refusalOf(err);
  if (refusal) {
    const { said } = refusal;
    return { final: !refusal.retryable, why: `${refusal.code}${said ? ` (${said})` : ""}: ${refusal.hint}` };
  }
  if (err instanceof WechatPayTransportError) {
    // Refused before sending (server certificate) or at the HTTP layer (4xx): nothing was accepted. A reply that
    // cannot be trusted (bad signature) or no reply at all leaves the outcome unknown: refundquery will tell.
    const final = err.code === "TLS_SERVER_UNTRUSTED" || (err.code === "HTTP_STATUS" && !err.retryable);
    return { final, why: `${err.code}: ${err.message}` };
  }
  if (err instanceof WechatPayError) {
    // Raised by the client before anything was sent: CERT_REQUIRED, BAD_INPUT, BAD_CONFIG.
    return { final: true, why: `${err.code}: ${err.message}` };
  }
  return { final: false, why: String(err) };
}

export async function sendRefund(
  deps: CoreDeps,
  refund: Pick<TRefundRow, "outRefundNo" | "refundFeeFen" | "reason" | "orderId" | "apiVersion">,
  attempt: Pick<TPaymentAttemptRow, "outTradeNo" | "appid" | "amountFen">,
): Promise<TSendRefundResult> {
  try {
    const gateway = gatewayFor(deps, refund.apiVersion);
    const notifyPath = gateway.version === "v3" ? REFUND_NOTIFY_PATH_V3 : REFUND_NOTIFY_PATH;
    const accepted = await gateway.refund({
      outTradeNo: attempt.outTradeNo,
      appId: attempt.appid,
      outRefundNo: refund.outRefundNo,
      totalFen: attempt.amountFen,
      refundFen: refund.refundFeeFen,
      notifyUrl: `${deps.config.appUrl}${notifyPath}`,
      ...(refund.reason ? { reason: refund.reason } : {}),
    });
    // Accepted is not refunded (WeChat: "申请退款接口的返回仅代表业务的受理情况"): the refund notify settles it.
    await deps.db
      .update(refunds)
      .set({ refundId: accepted.refundId, lastError: null, updatedAt: deps.now() })
      .where(eq(refunds.outRefundNo, refund.outRefundNo));
    return { ok: true };
  } catch (err) {
    const { final, why } = classifyRefundFailure(err);
    await deps.db
      .update(refunds)
      .set({ lastError: `${final ? "final: " : ""}${why}`.slice(0, 500), updatedAt: deps.now() })
      .where(eq(refunds.outRefundNo, refund.outRefundNo));
    if (final) {
      await deps.db.transaction((tx) =>
        applyRefundResult(
          tx,
          { outRefundNo: refund.outRefundNo, status: "FAILED", source: "refund" },
          deps.now(),
          deps.log,
        ),
      );
    }
    (final ? deps.log.alert : deps.log.error)("refund request failed", {
      orderId: refund.orderId,
      outRefundNo: refund.outRefundNo,
      final,
      error: why,
    });
    return { ok: false, final, why, error: err };
  }
}
