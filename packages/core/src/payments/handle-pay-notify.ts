// POST /api/wechat/pay/notify, without the HTTP: verify, then one transaction that records the delivery with
// its verdict and applies the payment. SUCCESS is only ever replied after that transaction committed.
import crypto from "node:crypto";

import { eq } from "drizzle-orm";

import { paymentAttempts, paymentNotifications } from "@wxpay/db";
import type { SignType, TPayNotification } from "@wxpay/wechatpay";
import { isSignType, parsePayNotify, parseXml, replyXml } from "@wxpay/wechatpay";

import { activeKeys } from "../config";
import type { CoreDeps } from "../deps";
import type { TNotifyReplies } from "./apply-notified-payment";
import { applyNotifiedPayment, applyNotifiedPaymentAtOnce } from "./apply-notified-payment";
import type { TPaymentEvidence } from "./apply-payment";
import { ACKNOWLEDGED_VERDICTS } from "./apply-payment";

export type TNotifyVerdict = (typeof paymentNotifications.$inferInsert)["verdict"];
export type THandleNotifyResult = { verdict: TNotifyVerdict; reply: string; orderId?: string };

/** Raw bodies above this are evidence of nothing but abuse; the route rejects them before parsing. */
export const MAX_NOTIFY_BYTES = 64 * 1024;
const STORED_BODY_CHARS = 16 * 1024;

const REPLY_OK = replyXml(true);
const V2_REPLIES: TNotifyReplies<string> = {
  forVerdict: (verdict) => replyFor(verdict, FAIL_MESSAGE[verdict] ?? "订单不存在"),
  busy: replyXml(false, "系统繁忙"),
  stored: (reply) => reply,
};
const FAIL_MESSAGE: Partial<Record<TNotifyVerdict, string>> = {
  AMOUNT_MISMATCH: "金额不符",
  WRONG_APPID: "appid不符",
  WRONG_MCH_ID: "商户号不符",
};

function replyFor(verdict: TNotifyVerdict, message: string): string {
  return ACKNOWLEDGED_VERDICTS.has(verdict) ? REPLY_OK : replyXml(false, message);
}

export async function handlePayNotify(
  deps: CoreDeps,
  input: { body: string; remoteAddr?: string | undefined },
): Promise<THandleNotifyResult> {
  const { config } = deps;
  const bodySha256 = crypto.createHash("sha256").update(input.body).digest("hex");
  // Only a signed delivery is evidence worth its bytes; unsigned junk is remembered by digest and size, so a flood of
  // it cannot fill the table with whatever a sender chooses to write.
  const record = {
    remoteAddr: input.remoteAddr ?? null,
    bodySha256,
    bodyBytes: Buffer.byteLength(input.body, "utf8"),
    rawXml: null as string | null,
  };
  const signedBody = input.body.slice(0, STORED_BODY_CHARS);
  const verify = (signType: SignType) =>
    parsePayNotify(input.body, {
      mchId: config.mchId,
      appIds: [config.officialAccount.appId, config.miniProgram.appId],
      keys: activeKeys(config, deps.now()),
      signType,
    });

  // The usual notify verifies under the configured sign type and current key: one statement applies it, guarded by
  // its attempt having been signed that way too. Anything else, or a guard that does not hold, takes the path below.
  const usual = verify(config.signType);
  const usualTried =
    usual.ok && usual.notification.resultCode === "SUCCESS" && usual.notification.keyIndex === 0;
  if (usualTried) {
    const n = usual.notification;
    const done = await applyNotifiedPaymentAtOnce(
      deps,
      { ...evidenceOf(n), signType: config.signType },
      { ...record, evidence: signedBody, detail: (d) => d?.slice(0, 500) ?? null },
      V2_REPLIES,
    );
    if (done) return done;
  }

  const signType = await attemptSignType(deps, input.body);
  const parsed = signType === config.signType ? usual : verify(signType);

  if (!parsed.ok) {
    const { code, message, fields } = parsed.rejection;
    // A verified result_code=FAIL notify may lack the paid-only fields: acknowledge it, nothing to apply.
    const signedFailure = code === "MISSING_FIELD" && fields?.result_code === "FAIL";
    const verdict: TNotifyVerdict =
      code === "RETURN_FAIL" || signedFailure ? "NOT_SUCCESS" : code === "MISSING_FIELD" ? "BAD_XML" : code;
    const reply = replyFor(verdict, code === "BAD_SIGN" ? "签名失败" : "参数格式校验错误");
    deps.log.warn("notify rejected", { verdict, detail: message, remoteAddr: input.remoteAddr });
    // MISSING_FIELD is only reported after the signature verified.
    const rawXml = code === "MISSING_FIELD" ? signedBody : null;
    await deps.db
      .insert(paymentNotifications)
      .values({ ...record, rawXml, verdict, detail: message.slice(0, 500), reply })
      .catch((err: unknown) => deps.log.error("could not record a rejected notify", { error: String(err) }));
    return { verdict, reply };
  }

  const n: TPayNotification = parsed.notification;
  let keyNote: string | undefined;
  if (n.keyIndex > 0) {
    // A rotation is over only when nothing arrives under the old key any more: every such notify is worth a look.
    keyNote = "verified with the previous API key";
    deps.log.alert("notify verified with the previous API key", {
      outTradeNo: n.outTradeNo,
      transactionId: n.transactionId,
      previousKeyUntil: config.previousKeysUntil?.toISOString() ?? null,
    });
  }
  if (n.resultCode !== "SUCCESS") {
    // WeChat: a signed result_code=FAIL notify is acknowledged; the order does not change.
    const reply = REPLY_OK;
    try {
      await deps.db.insert(paymentNotifications).values({
        ...record,
        rawXml: signedBody,
        outTradeNo: n.outTradeNo,
        transactionId: n.transactionId || null,
        verdict: "NOT_SUCCESS",
        detail: [n.errCode, n.errCodeDes, keyNote].filter(Boolean).join(" ").slice(0, 500),
        reply,
      });
    } catch (err) {
      deps.log.error("notify: database unavailable", { error: String(err) });
      return { verdict: "ERROR", reply: replyXml(false, "系统繁忙") };
    }
    return { verdict: "NOT_SUCCESS", reply };
  }

  return applyNotifiedPayment(
    deps,
    evidenceOf(n),
    {
      ...record,
      evidence: signedBody,
      detail: (d) => [d, keyNote].filter(Boolean).join("; ").slice(0, 500) || null,
    },
    V2_REPLIES,
    // Verified as tried above (same sign type, same key): the one statement has already found its guards unmet.
    !(usualTried && signType === config.signType),
  );
}

const evidenceOf = (n: TPayNotification): TPaymentEvidence => ({
  source: "notify",
  appId: n.appId,
  mchId: n.mchId,
  outTradeNo: n.outTradeNo,
  transactionId: n.transactionId,
  totalFeeFen: n.totalFeeFen,
  feeType: n.feeType,
  paidAt: n.paidAt,
});

/**
 * The sign type a notify must carry: its attempt's (WeChat signs an order's notify as its unifiedorder was signed), so
 * changing WECHATPAY_SIGN_TYPE strands no attempt already made. An unknown out_trade_no gets the configured one.
 */
async function attemptSignType(deps: CoreDeps, body: string): Promise<SignType> {
  let outTradeNo: string | undefined;
  try {
    outTradeNo = parseXml(body, { maxBytes: MAX_NOTIFY_BYTES }).out_trade_no;
  } catch {
    return deps.config.signType; // parsePayNotify reports it as BAD_XML
  }
  if (!outTradeNo) return deps.config.signType;
  const [row] = await deps.db
    .select({ signType: paymentAttempts.signType })
    .from(paymentAttempts)
    .where(eq(paymentAttempts.outTradeNo, outTradeNo))
    .catch(() => []);
  return row && isSignType(row.signType) ? row.signType : deps.config.signType;
}
