// POST /api/wechat/v3/pay/notify, without the HTTP: the raw body and the Wechatpay-* headers are verified before
// anything is parsed, the resource is decrypted (AES-256-GCM with the APIv3 key), then the same single transition and
// delivery record as a v2 notify. Acknowledged (204) only after that transaction committed; anything else is a FAIL
// that WeChat delivers again.
import crypto from "node:crypto";

import { paymentNotifications } from "@wxpay/db";
import type { V3_NOTIFY_REFUSALS } from "@wxpay/db";
import type { TV3NotifyRejection } from "@wxpay/wechatpay/v3";
import { v3NotifyReply } from "@wxpay/wechatpay/v3";

import type { CoreDeps } from "../deps";
import { ACKNOWLEDGED_VERDICTS, applyPayment } from "./apply-payment";
import type { TNotifyVerdict } from "./handle-pay-notify";
import { MAX_NOTIFY_BYTES } from "./handle-pay-notify";

export type TV3NotifyReply = { status: number; body: string; contentType: string };
export type THandleV3NotifyResult = { verdict: TNotifyVerdict; reply: TV3NotifyReply; orderId?: string };

export type TV3NotifyInput = {
  headers: Record<string, string | undefined>;
  body: string;
  remoteAddr?: string | undefined;
};

const STORED_BODY_CHARS = 16 * 1024;

export type TV3NotifyRefusal = (typeof V3_NOTIFY_REFUSALS)[number];

/**
 * The delivery log's verdict for a v3 notify refused before anything was applied, in v3's own words: what the verifier
 * or the decryption said, not v2's BAD_XML/BAD_SIGN. Outcomes after verification (wrong appid or mchid, an event that
 * is not a payment) are the verdicts both versions share.
 */
export function v3RefusalVerdict(rejection: TV3NotifyRejection): TNotifyVerdict {
  switch (rejection.code) {
    case "BAD_SIGN":
      switch (rejection.verify) {
        case "UNKNOWN_SERIAL":
          return "UNKNOWN_SERIAL";
        case "STALE_TIMESTAMP":
          return "STALE_TIMESTAMP";
        case "SIGNATURE_PROBE":
          return "SIGNTEST_PROBE";
        case "BODY_TOO_LARGE":
          return "BODY_TOO_LARGE";
        default:
          return "BAD_SIGNATURE";
      }
    case "BAD_RESOURCE":
      return "DECRYPT_FAILED";
    case "UNSUPPORTED_EVENT":
      return "NOT_SUCCESS";
    case "WRONG_APPID":
    case "WRONG_MCH_ID":
      return rejection.code;
    case "BAD_JSON":
    case "MISSING_FIELD":
      return "BAD_BODY";
  }
}

const fail = (message: string) => v3NotifyReply(false, message);

export async function handleV3PayNotify(
  deps: CoreDeps,
  input: TV3NotifyInput,
): Promise<THandleV3NotifyResult> {
  const record = {
    remoteAddr: input.remoteAddr ?? null,
    bodySha256: crypto.createHash("sha256").update(input.body).digest("hex"),
    bodyBytes: Buffer.byteLength(input.body, "utf8"),
  };
  if (!deps.v3) {
    deps.log.error("v3 notify received but no v3 credentials are configured");
    return { verdict: "ERROR", reply: fail("系统繁忙") };
  }
  if (record.bodyBytes > MAX_NOTIFY_BYTES) {
    return reject(deps, record, "BODY_TOO_LARGE", `body of ${record.bodyBytes} bytes`, input.remoteAddr);
  }
  const parsed = await deps.v3.parsePayNotifyRefreshing({ headers: input.headers, body: input.body });
  if (!parsed.ok) {
    const { code, message, verify } = parsed.rejection;
    const verdict = v3RefusalVerdict(parsed.rejection);
    // A verified notify of another event is acknowledged: there is nothing to apply, and nothing to retry.
    if (verdict === "NOT_SUCCESS") {
      await deps.db
        .insert(paymentNotifications)
        .values({
          ...record,
          rawXml: null,
          verdict,
          detail: `${code}: ${message}`.slice(0, 500),
          reply: "204",
        })
        .catch((err: unknown) => deps.log.error("could not record a v3 notify", { error: String(err) }));
      return { verdict, reply: v3NotifyReply(true) };
    }
    return reject(
      deps,
      record,
      verdict,
      `${code}${verify ? ` ${verify}` : ""}: ${message}`,
      input.remoteAddr,
    );
  }

  const n = parsed.notification;
  // Evidence: the decrypted resource (the body itself is ciphertext).
  const evidence = JSON.stringify({ envelope: n.envelope, resource: n.resource }).slice(0, STORED_BODY_CHARS);
  try {
    return await deps.db.transaction(async (tx) => {
      const applied = await applyPayment(
        tx,
        {
          source: "notify",
          appId: n.appId,
          mchId: n.mchId,
          outTradeNo: n.outTradeNo,
          transactionId: n.transactionId,
          totalFeeFen: n.totalFeeFen,
          feeType: n.feeType,
          paidAt: n.paidAt,
        },
        deps.now(),
        deps.log,
      );
      const ok = ACKNOWLEDGED_VERDICTS.has(applied.verdict);
      const reply = ok ? v3NotifyReply(true) : fail(applied.verdict);
      await tx.insert(paymentNotifications).values({
        ...record,
        rawXml: evidence,
        outTradeNo: n.outTradeNo,
        transactionId: n.transactionId,
        attemptId: applied.attemptId ?? null,
        verdict: applied.verdict,
        detail: ["api v3", applied.detail].filter(Boolean).join("; ").slice(0, 500),
        reply: String(reply.status),
      });
      return { verdict: applied.verdict, reply, ...(applied.orderId ? { orderId: applied.orderId } : {}) };
    });
  } catch (err) {
    // Nothing was committed: WeChat must deliver again.
    deps.log.error("v3 notify: transaction failed, replying FAIL", {
      outTradeNo: n.outTradeNo,
      error: String(err),
    });
    return { verdict: "ERROR", reply: fail("系统繁忙") };
  }
}

async function reject(
  deps: CoreDeps,
  record: { remoteAddr: string | null; bodySha256: string; bodyBytes: number },
  verdict: TNotifyVerdict,
  detail: string,
  remoteAddr: string | undefined,
): Promise<THandleV3NotifyResult> {
  const signature = ["BAD_SIGNATURE", "UNKNOWN_SERIAL", "STALE_TIMESTAMP", "SIGNTEST_PROBE"].includes(
    verdict,
  );
  const reply = fail(signature ? "签名错误" : "参数错误");
  deps.log.warn("v3 notify rejected", { verdict, detail, remoteAddr });
  // Unverified bytes are remembered by digest and size only.
  await deps.db
    .insert(paymentNotifications)
    .values({ ...record, rawXml: null, verdict, detail: detail.slice(0, 500), reply: String(reply.status) })
    .catch((err: unknown) => deps.log.error("could not record a rejected v3 notify", { error: String(err) }));
  return { verdict, reply };
}
