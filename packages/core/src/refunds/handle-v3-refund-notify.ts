// POST /api/wechat/v3/refund/notify, without the HTTP: signature over the raw body first, then the AES-256-GCM
// resource, then the same check-and-apply as the v2 refund notify (recordRefundFact). 204 only after commit.
import type { TV3RefundStatus } from "@wxpay/wechatpay/v3";
import { v3NotifyReply } from "@wxpay/wechatpay/v3";

import type { CoreDeps } from "../deps";
import type { TNotifyVerdict } from "../payments/handle-pay-notify";
import type { TV3NotifyInput, TV3NotifyReply } from "../payments/handle-v3-pay-notify";
import { v3RefusalVerdict } from "../payments/handle-v3-pay-notify";
import { MAX_NOTIFY_BYTES } from "../payments/handle-pay-notify";
import type { TRefundResultStatus } from "./apply-refund-result";
import type { THandleRefundNotifyResult } from "./handle-refund-notify";
import { recordRefundFact, refundNotifyOutcome } from "./import-refund";

const STATUS: Record<TV3RefundStatus, TRefundResultStatus | undefined> = {
  SUCCESS: "SUCCESS",
  CLOSED: "REFUNDCLOSE",
  ABNORMAL: "CHANGE",
  PROCESSING: undefined,
};

export async function handleV3RefundNotify(
  deps: CoreDeps,
  input: TV3NotifyInput,
): Promise<{
  verdict: THandleRefundNotifyResult["verdict"];
  /** Why a REJECTED delivery was refused, in the v3 words of the notify log (UNKNOWN_SERIAL, DECRYPT_FAILED, …). */
  refusal?: TNotifyVerdict;
  reply: TV3NotifyReply;
}> {
  if (!deps.v3) return { verdict: "ERROR", reply: v3NotifyReply(false, "系统繁忙") };
  if (Buffer.byteLength(input.body, "utf8") > MAX_NOTIFY_BYTES) {
    return { verdict: "REJECTED", refusal: "BODY_TOO_LARGE", reply: v3NotifyReply(false, "参数错误") };
  }
  const parsed = await deps.v3.parseRefundNotifyRefreshing({ headers: input.headers, body: input.body });
  if (!parsed.ok) {
    const refusal = v3RefusalVerdict(parsed.rejection);
    deps.log.warn("v3 refund notify rejected", { refusal, detail: parsed.rejection.message });
    return { verdict: "REJECTED", refusal, reply: v3NotifyReply(false, "参数错误") };
  }
  const n = parsed.notification;
  const status = STATUS[n.refundStatus];
  if (!status) return { verdict: "REJECTED", reply: v3NotifyReply(false, "参数错误") };
  try {
    const r = await deps.db.transaction((tx) =>
      recordRefundFact(
        tx,
        {
          outRefundNo: n.outRefundNo,
          refundId: n.refundId,
          outTradeNo: n.outTradeNo,
          transactionId: n.transactionId,
          totalFeeFen: n.totalFen,
          refundFeeFen: n.refundFen,
          status,
          ...(n.succeededAt ? { succeededAt: n.succeededAt } : {}),
          source: "refund_notify",
        },
        deps.now(),
        deps.log,
      ),
    );
    const o = refundNotifyOutcome(r);
    return {
      verdict: o.verdict,
      reply: o.acknowledged ? v3NotifyReply(true) : v3NotifyReply(false, o.message),
    };
  } catch (err) {
    deps.log.error("v3 refund notify: transaction failed, replying FAIL", {
      outRefundNo: n.outRefundNo,
      error: String(err),
    });
    return { verdict: "ERROR", reply: v3NotifyReply(false, "系统繁忙") };
  }
}
