// The suites run once per WeChat Pay API version: the web processes get WECHATPAY_API_VERSION, WeChat (the
// simulator) answers and notifies in that version, and the assertions read the same rows either way. What differs is
// the wire: where WeChat posts the notify, what a delivery looks like, what acknowledges it.
// WXPAY_E2E_API_VERSIONS=v2 (or v3) runs one of them only, as in apps/web's Playwright projects.
import type { KeyObject } from "node:crypto";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

import { buildPayNotify } from "@wxpay/wechatpay";
import {
  AUTH_SCHEME,
  buildResponseMessageBytes,
  decryptAeadAesGcm,
  encryptAeadAesGcm,
  signSha256WithRsa,
} from "@wxpay/wechatpay/v3";
import { SANDBOX } from "@wxpay/wechat-sim";
import type { TNotifyAttemptView } from "@wxpay/wechat-sim/control-client";

export type TApiVersion = "v2" | "v3";

/** The versions this run covers (default both). */
export function apiVersions(): TApiVersion[] {
  // eslint-disable-next-line no-restricted-properties -- test selection, like Playwright's projects
  const raw = process.env.WXPAY_E2E_API_VERSIONS ?? "v2,v3";
  const picked = raw
    .split(",")
    .map((v) => v.trim())
    .filter((v): v is TApiVersion => v === "v2" || v === "v3");
  return picked.length > 0 ? picked : ["v2", "v3"];
}

/** The shop's payment notify route for attempts of this version (notify_url / v3 notify_url). */
export const payNotifyPath = (v: TApiVersion): string =>
  v === "v2" ? "/api/wechat/pay/notify" : "/api/wechat/v3/pay/notify";

/** Posts a notify body with the headers WeChat sent it with; the reply as WeChat would judge it. */
export async function postPayNotify(
  baseUrl: string,
  v: TApiVersion,
  delivery: { body: string; headers?: Record<string, string> | undefined },
): Promise<{ status: number; text: string; acknowledged: boolean }> {
  const res = await fetch(`${baseUrl}${payNotifyPath(v)}`, {
    method: "POST",
    body: delivery.body,
    headers: {
      "content-type": v === "v2" ? "text/xml" : "application/json",
      ...(v === "v3" ? delivery.headers : {}),
    },
  });
  const text = await res.text();
  // WeChat v2: return_code SUCCESS in the XML; v3: any 2xx (the shop answers 204, or 200 with a body).
  const acknowledged =
    v === "v2"
      ? res.status === 200 && text.includes("<return_code><![CDATA[SUCCESS]]></return_code>")
      : res.status >= 200 && res.status < 300;
  return { status: res.status, text, acknowledged };
}

/** A recorded delivery as it went over the wire (v3: with its Wechatpay-* headers). */
export const deliveryOf = (attempt: TNotifyAttemptView) => ({
  body: attempt.body,
  headers: attempt.headers,
});

/** The simulator's sandbox key files (apps/wechat-sim/sandbox). */
export function sandboxFile(name: string): string {
  // The package's entry is src/index.ts; the sandbox folder sits beside src.
  const simDir = path.resolve(
    path.dirname(createRequire(import.meta.url).resolve("@wxpay/wechat-sim")),
    "..",
  );
  return fs.readFileSync(path.join(simDir, "sandbox", name), "utf8");
}

/** The v3 delivery's own values: its event id, both nonces, its timestamp and WeChat's signing key. */
export type TV3Wire = {
  id: string;
  resourceNonce: string;
  headerNonce: string;
  timestamp: string;
  signingKey: KeyObject | string;
};

/**
 * A genuine payment notify for an attempt, built here as WeChat builds it: v2 signed with the merchant key, v3 with
 * the resource sealed by the APIv3 key and the body signed by the WeChat Pay public key's private half. `wire` fixes
 * a v3 delivery's own values (the bench signs thousands with one loaded key); by default they follow the
 * transaction_id and the clock.
 */
export function genuinePayNotify(
  v: TApiVersion,
  p: {
    outTradeNo: string;
    amountFen: number;
    appId: string;
    transactionId: string;
    openid: string;
    tradeType: "MWEB" | "JSAPI" | "NATIVE";
  },
  wire?: TV3Wire,
): { body: string; headers?: Record<string, string> } {
  if (v === "v2") {
    return {
      body: buildPayNotify(
        {
          return_code: "SUCCESS",
          result_code: "SUCCESS",
          appid: p.appId,
          mch_id: SANDBOX.mchId,
          nonce_str: `n${p.transactionId}`.slice(0, 32),
          openid: p.openid,
          trade_type: p.tradeType,
          bank_type: "OTHERS",
          total_fee: p.amountFen,
          fee_type: "CNY",
          cash_fee: p.amountFen,
          transaction_id: p.transactionId,
          out_trade_no: p.outTradeNo,
          time_end: "20260101120000",
        },
        SANDBOX.key,
        "MD5",
      ),
    };
  }
  const w: TV3Wire = wire ?? {
    id: `late-${p.transactionId}`,
    resourceNonce: p.transactionId.slice(-12),
    headerNonce: `${p.transactionId}NONCE`.slice(-32),
    timestamp: String(Math.floor(Date.now() / 1000)),
    signingKey: sandboxFile("pub_key_private.pem"),
  };
  const body = JSON.stringify({
    id: w.id,
    create_time: "2026-01-01T12:00:01+08:00",
    resource_type: "encrypt-resource",
    event_type: "TRANSACTION.SUCCESS",
    summary: "支付成功",
    resource: {
      original_type: "transaction",
      algorithm: "AEAD_AES_256_GCM",
      ciphertext: encryptAeadAesGcm({
        key: SANDBOX.apiV3Key,
        nonce: w.resourceNonce,
        associatedData: "transaction",
        plaintext: JSON.stringify({
          appid: p.appId,
          mchid: SANDBOX.mchId,
          out_trade_no: p.outTradeNo,
          transaction_id: p.transactionId,
          trade_type: p.tradeType,
          trade_state: "SUCCESS",
          trade_state_desc: "支付成功",
          bank_type: "OTHERS",
          success_time: "2026-01-01T12:00:00+08:00",
          payer: { openid: p.openid },
          amount: { total: p.amountFen, payer_total: p.amountFen, currency: "CNY", payer_currency: "CNY" },
        }),
      }),
      associated_data: "transaction",
      nonce: w.resourceNonce,
    },
  });
  return {
    body,
    headers: {
      "content-type": "application/json",
      "wechatpay-nonce": w.headerNonce,
      "wechatpay-timestamp": w.timestamp,
      "wechatpay-serial": SANDBOX.publicKeyId,
      "wechatpay-signature-type": AUTH_SCHEME,
      "wechatpay-signature": signSha256WithRsa(
        w.signingKey,
        buildResponseMessageBytes(w.timestamp, w.headerNonce, Buffer.from(body)),
      ),
    },
  };
}

/** WeChat's transaction_id inside a recorded notify body: v2 XML as is, v3 by opening the sealed resource. */
export function transactionIdOfNotify(body: string): string | undefined {
  if (!body.trimStart().startsWith("{")) {
    return (
      /<transaction_id><!\[CDATA\[([^\]]*)\]\]><\/transaction_id>/.exec(body)?.[1] ??
      /<transaction_id>([^<]*)<\/transaction_id>/.exec(body)?.[1]
    );
  }
  const envelope = JSON.parse(body) as {
    resource?: { ciphertext: string; nonce: string; associated_data?: string };
  };
  if (!envelope.resource) return undefined;
  const plain = decryptAeadAesGcm({
    key: SANDBOX.apiV3Key,
    nonce: envelope.resource.nonce,
    associatedData: envelope.resource.associated_data ?? "",
    ciphertext: envelope.resource.ciphertext,
  });
  return (JSON.parse(plain.toString("utf8")) as { transaction_id?: string }).transaction_id;
}
