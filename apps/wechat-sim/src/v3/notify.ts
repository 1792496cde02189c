// The body of a v3 notify (reference §4): an envelope with an AEAD_AES_256_GCM resource, encrypted with the
// merchant's APIv3 key; associated_data names the resource ("transaction" / "refund"). The engine signs each
// delivery afresh (new timestamp and nonce) with signBody.
import { randomBytes, randomUUID } from "node:crypto";

import { encryptAeadAesGcm } from "@wxpay/wechatpay/v3";

import type { Merchant } from "../state";
import { rfc3339Beijing } from "./keys";

export type V3Event = {
  eventType: "TRANSACTION.SUCCESS" | "REFUND.SUCCESS" | "REFUND.ABNORMAL" | "REFUND.CLOSED";
  summary: string;
  originalType: "transaction" | "refund";
};

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** WeChat: resource.nonce is a 12-character string (its UTF-8 bytes are the GCM nonce). */
function resourceNonce(): string {
  return [...randomBytes(12)].map((b) => ALNUM[b % ALNUM.length]).join("");
}

export function v3NotifyBody(
  merchant: Merchant,
  event: V3Event,
  resource: Record<string, unknown>,
  createdAt: number,
  id: string = randomUUID(),
): string {
  const nonce = resourceNonce();
  const associatedData = event.originalType;
  return JSON.stringify({
    id,
    create_time: rfc3339Beijing(createdAt),
    resource_type: "encrypt-resource",
    event_type: event.eventType,
    summary: event.summary,
    resource: {
      original_type: event.originalType,
      algorithm: "AEAD_AES_256_GCM",
      ciphertext: encryptAeadAesGcm({
        key: merchant.v3.apiV3Key,
        nonce,
        associatedData,
        plaintext: JSON.stringify(resource),
      }),
      associated_data: associatedData,
      nonce,
    },
  });
}

export const PAY_EVENT: V3Event = {
  eventType: "TRANSACTION.SUCCESS",
  summary: "支付成功",
  originalType: "transaction",
};

export function refundEvent(status: "SUCCESS" | "ABNORMAL" | "CLOSED" | "PROCESSING"): V3Event {
  if (status === "ABNORMAL")
    return { eventType: "REFUND.ABNORMAL", summary: "退款异常", originalType: "refund" };
  if (status === "CLOSED") return { eventType: "REFUND.CLOSED", summary: "退款关闭", originalType: "refund" };
  return { eventType: "REFUND.SUCCESS", summary: "退款成功", originalType: "refund" };
}
