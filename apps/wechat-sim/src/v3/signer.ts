// WeChat's signature on v3 answers and notifies: SHA256withRSA over `timestamp\nnonce\nbody\n` with the
// platform certificate's key or the WeChat Pay public key's private half, chosen by the merchant's signing
// mode, and now and then a WECHATPAY/SIGNTEST/ probe that must fail verification.
import { randomBytes } from "node:crypto";

import {
  AUTH_SCHEME,
  buildResponseMessageBytes,
  SIGNATURE_PROBE_PREFIX,
  signSha256WithRsa,
} from "@wxpay/wechatpay/v3";

import type { SimClock } from "../clock";
import type { SimConfig } from "../context";
import type { Merchant } from "../state";
import { wechatKeys } from "./keys";

export type SigningKey = "certificate" | "public-key";

export type WechatpayHeaders = {
  "Wechatpay-Nonce": string;
  "Wechatpay-Signature": string;
  "Wechatpay-Timestamp": string;
  "Wechatpay-Serial": string;
  "Wechatpay-Signature-Type": string;
};

/**
 * Which key signs an answer. public-key and certificate merchants get theirs whatever the request says (WeChat
 * keeps signing with the platform certificate until the switch-over starts); during the switch-over the request's
 * `Wechatpay-Serial` picks it: the public key id selects the public key, anything else the certificate.
 */
export function answerKey(merchant: Merchant, requestSerial: string | undefined): SigningKey {
  const mode = merchant.v3.signingMode;
  if (mode === "switching") return requestSerial === wechatKeys().publicKeyId ? "public-key" : "certificate";
  return mode;
}

/** Which key signs the next notify delivery: in switching mode `publicKeyShare` of them, spread evenly. */
export function notifyKey(merchant: Merchant): SigningKey {
  const v3 = merchant.v3;
  if (v3.signingMode !== "switching") return v3.signingMode;
  v3.publicKeyCarry += v3.publicKeyShare;
  if (v3.publicKeyCarry >= 1 - 1e-9) {
    v3.publicKeyCarry -= 1;
    return "public-key";
  }
  return "certificate";
}

/** Whether the next delivery (or answer) is a probe; consumes one deterministic probe if any are queued. */
export function takeProbe(merchant: Merchant, what: "notify" | "answer"): boolean {
  const v3 = merchant.v3;
  if (what === "notify") {
    if (v3.probeNotifies > 0) {
      v3.probeNotifies -= 1;
      return true;
    }
    return v3.signProbeRate > 0 && Math.random() < v3.signProbeRate;
  }
  if (v3.probeResponses > 0) {
    v3.probeResponses -= 1;
    return true;
  }
  return false;
}

export function signBody(
  body: string | Buffer,
  opts: { key: SigningKey; timestampSec: number; probe?: boolean; forgeWithMerchantKey?: boolean },
): WechatpayHeaders {
  const keys = wechatKeys();
  const nonce = randomBytes(16).toString("hex").toUpperCase();
  const timestamp = String(opts.timestampSec);
  const bytes = typeof body === "string" ? Buffer.from(body, "utf8") : body;
  const privateKey =
    opts.forgeWithMerchantKey === true
      ? keys.mchKeyPem
      : opts.key === "public-key"
        ? keys.publicKeyPrivatePem
        : keys.platformKeyPem;
  const signature = opts.probe
    ? // WeChat: a probe signature starts with WECHATPAY/SIGNTEST/ and is never valid.
      `${SIGNATURE_PROBE_PREFIX}${randomBytes(192).toString("base64")}`
    : signSha256WithRsa(privateKey, buildResponseMessageBytes(timestamp, nonce, bytes));
  return {
    "Wechatpay-Nonce": nonce,
    "Wechatpay-Signature": signature,
    "Wechatpay-Timestamp": timestamp,
    "Wechatpay-Serial": opts.key === "public-key" ? keys.publicKeyId : keys.platformSerial,
    "Wechatpay-Signature-Type": AUTH_SCHEME,
  };
}

/** The clock v3 timestamps are read from and checked against (SimConfig.signatureClock). */
export function signatureNowSec(clock: SimClock, config: SimConfig): number {
  return Math.floor((config.signatureClock === "real" ? Date.now() : clock.now()) / 1000);
}
