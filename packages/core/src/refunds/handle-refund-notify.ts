// POST /api/wechat/refund/notify, without the HTTP: WeChat's refund result, its req_info encrypted with
// md5(API key) (AES-256-ECB) and no sign of its own — decrypting it is the authentication. What it says is checked
// against our refund row before it is applied; a refund started on the merchant platform is imported.
import { parseRefundNotify, replyXml } from "@wxpay/wechatpay";

import { activeKeys } from "../config";
import type { CoreDeps } from "../deps";
import { recordRefundFact, refundNotifyOutcome } from "./import-refund";

export type THandleRefundNotifyResult = {
  verdict: "APPLIED" | "DUPLICATE" | "IMPORTED" | "MISMATCH" | "UNKNOWN_REFUND" | "REJECTED" | "ERROR";
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
      recordRefundFact(
        tx,
        {
          outRefundNo: n.outRefundNo,
          refundId: n.refundId,
          outTradeNo: n.outTradeNo,
          transactionId: n.transactionId,
          totalFeeFen: n.totalFeeFen,
          refundFeeFen: n.refundFeeFen,
          status: n.refundStatus,
          ...(n.succeededAt ? { succeededAt: n.succeededAt } : {}),
          ...(n.refundRequestSource ? { requestSource: n.refundRequestSource } : {}),
          source: "refund_notify",
        },
        deps.now(),
        deps.log,
      ),
    );
    const o = refundNotifyOutcome(r);
    return { verdict: o.verdict, reply: o.acknowledged ? replyXml(true) : replyXml(false, o.message) };
  } catch (err) {
    deps.log.error("refund notify: transaction failed, replying FAIL", {
      outRefundNo: n.outRefundNo,
      error: String(err),
    });
    return { verdict: "ERROR", reply: replyXml(false, "系统繁忙") };
  }
}
