// POST /api/wechat/refund/notify, without the HTTP: WeChat's refund result, its req_info encrypted with
// md5(API key) (AES-256-ECB) and no sign of its own — decrypting it is the authentication.
import { parseRefundNotify, replyXml } from "@wxpay/wechatpay";

import { activeKeys } from "../config";
import type { CoreDeps } from "../deps";
import { applyRefundResult } from "./apply-refund-result";

export type THandleRefundNotifyResult = {
  verdict: "APPLIED" | "DUPLICATE" | "UNKNOWN_REFUND" | "REJECTED" | "ERROR";
  reply: string;
};

export async function handleRefundNotify(
  deps: CoreDeps,
  input: { body: string },
): Promise<THandleRefundNotifyResult> {
  const { config } = deps;
  const parsed = parseRefundNotify(input.body, {
    mchId: config.mchId,
    appIds: [config.officialAccount.appId, config.miniProgram.appId],
    keys: activeKeys(config, deps.now()),
  });
  if (!parsed.ok) {
    deps.log.warn("refund notify rejected", {
      code: parsed.rejection.code,
      detail: parsed.rejection.message,
    });
    return { verdict: "REJECTED", reply: replyXml(false, "参数格式校验错误") };
  }
  const n = parsed.notification;
  if (n.keyIndex > 0) {
    deps.log.alert("refund notify decrypted with the previous API key", {
      outRefundNo: n.outRefundNo,
      previousKeyUntil: config.previousKeysUntil?.toISOString() ?? null,
    });
  }
  try {
    const r = await deps.db.transaction((tx) =>
      applyRefundResult(
        tx,
        {
          outRefundNo: n.outRefundNo,
          status: n.refundStatus,
          refundId: n.refundId,
          ...(n.succeededAt ? { succeededAt: n.succeededAt } : {}),
          source: "refund_notify",
        },
        deps.now(),
        deps.log,
      ),
    );
    if (!r.orderId) {
      // A refund this shop did not start (e.g. from the merchant platform): recorded in the log for reconciliation.
      deps.log.alert("refund notify for an unknown out_refund_no", {
        outRefundNo: n.outRefundNo,
        outTradeNo: n.outTradeNo,
      });
      return { verdict: "UNKNOWN_REFUND", reply: replyXml(false, "退款单不存在") };
    }
    return { verdict: r.applied ? "APPLIED" : "DUPLICATE", reply: replyXml(true) };
  } catch (err) {
    deps.log.error("refund notify: transaction failed, replying FAIL", {
      outRefundNo: n.outRefundNo,
      error: String(err),
    });
    return { verdict: "ERROR", reply: replyXml(false, "系统繁忙") };
  }
}
