import fc from "fast-check";
import { describe, expect, it } from "vitest";

import {
  parseV3PayNotify,
  parseV3RefundNotify,
  platformCertificate,
  v3NotifyReply,
  WechatpayVerifier,
  wechatpayPublicKey,
} from "@wxpay/wechatpay/v3";
import type { TV3NotifyConfig } from "@wxpay/wechatpay/v3";

import {
  APIV3_KEY,
  notifyBody,
  PUB_KEY_ID,
  signedHeaders,
  signers,
  V3_APPID,
  V3_MCH_ID,
  V3_MINI_APPID,
  V3_OPENID,
  wechat,
} from "../helpers/wechat-pay-v3-server";

const NOW = 1_800_000_000;

const config: TV3NotifyConfig = {
  verifier: new WechatpayVerifier({
    publicKey: wechatpayPublicKey(PUB_KEY_ID, wechat.publicKeyPem),
    certificates: [platformCertificate(wechat.platformCertPem)],
    now: () => NOW,
  }),
  apiV3Key: APIV3_KEY,
  mchId: V3_MCH_ID,
  appIds: [V3_APPID, V3_MINI_APPID],
};

const paid = {
  appid: V3_MINI_APPID,
  mchid: V3_MCH_ID,
  out_trade_no: "20261129aZ3kP9qLm2Xc7Rt5Vb8Nw4Hy",
  transaction_id: "4200000985202103031441826014",
  trade_type: "JSAPI",
  trade_state: "SUCCESS",
  trade_state_desc: "支付成功",
  bank_type: "OTHERS",
  attach: "order:42",
  success_time: "2026-11-29T10:34:56+08:00",
  payer: { openid: V3_OPENID },
  amount: { total: 1990, payer_total: 1890, currency: "CNY", payer_currency: "CNY" },
};

const refunded = {
  mchid: V3_MCH_ID,
  transaction_id: "4200000985202103031441826014",
  out_trade_no: "20261129aZ3kP9qLm2Xc7Rt5Vb8Nw4Hy",
  refund_id: "50200207182018070300011301001",
  out_refund_no: "R20261129000001",
  refund_status: "SUCCESS",
  success_time: "2026-11-29T11:00:00+08:00",
  user_received_account: "支付用户零钱",
  amount: { total: 1990, refund: 500, payer_total: 1890, payer_refund: 500 },
};

function delivered(eventType: string, resource: Record<string, unknown>, signer = signers.publicKey) {
  const body = notifyBody(eventType, resource);
  return { headers: signedHeaders(body, signer, { timestamp: NOW }), body };
}

describe("a payment notify (TRANSACTION.SUCCESS)", () => {
  it("verified and decrypted, it gives the order, the money in fen and the payer, named as v2 names them", () => {
    const r = parseV3PayNotify(delivered("TRANSACTION.SUCCESS", paid), config);
    expect(r).toMatchObject({
      ok: true,
      notification: {
        apiVersion: "v3",
        appId: V3_MINI_APPID,
        mchId: V3_MCH_ID,
        outTradeNo: paid.out_trade_no,
        transactionId: "4200000985202103031441826014",
        totalFeeFen: 1990,
        cashFeeFen: 1890,
        feeType: "CNY",
        tradeType: "JSAPI",
        openid: V3_OPENID,
        resultCode: "SUCCESS",
        attach: "order:42",
        paidAt: new Date("2026-11-29T02:34:56Z"),
        envelope: { eventType: "TRANSACTION.SUCCESS", originalType: "transaction" },
      },
    });
  });

  it("signed with the platform certificate during the switch-over, it is accepted the same", () => {
    expect(parseV3PayNotify(delivered("TRANSACTION.SUCCESS", paid, signers.platform), config).ok).toBe(true);
  });

  it("another merchant's or another app's notify is refused by name", () => {
    expect(
      parseV3PayNotify(delivered("TRANSACTION.SUCCESS", { ...paid, mchid: "1900000100" }), config),
    ).toMatchObject({
      ok: false,
      rejection: { code: "WRONG_MCH_ID" },
    });
    expect(
      parseV3PayNotify(delivered("TRANSACTION.SUCCESS", { ...paid, appid: "wx0000000000000000" }), config),
    ).toMatchObject({ ok: false, rejection: { code: "WRONG_APPID" } });
  });

  it("a refund event sent to the payment parser is UNSUPPORTED_EVENT, and a payment to the refund parser too", () => {
    expect(parseV3PayNotify(delivered("REFUND.SUCCESS", refunded), config)).toMatchObject({
      ok: false,
      rejection: { code: "UNSUPPORTED_EVENT" },
    });
    expect(parseV3RefundNotify(delivered("TRANSACTION.SUCCESS", paid), config)).toMatchObject({
      ok: false,
      rejection: { code: "UNSUPPORTED_EVENT" },
    });
  });

  it("a resource without amount or with a fractional amount is MISSING_FIELD", () => {
    const { amount: _a, ...noAmount } = paid;
    expect(parseV3PayNotify(delivered("TRANSACTION.SUCCESS", noAmount), config)).toMatchObject({
      ok: false,
      rejection: { code: "MISSING_FIELD" },
    });
    expect(
      parseV3PayNotify(delivered("TRANSACTION.SUCCESS", { ...paid, amount: { total: 19.9 } }), config),
    ).toMatchObject({ ok: false, rejection: { code: "MISSING_FIELD" } });
  });
});

describe("a notify that must not be believed", () => {
  it("with a body changed after signing, is BAD_SIGN before anything is decrypted", () => {
    const n = delivered("TRANSACTION.SUCCESS", paid);
    const r = parseV3PayNotify(
      { ...n, body: n.body.replace('"summary":"支付成功"', '"summary":"支付成功 "') },
      config,
    );
    expect(r).toMatchObject({ ok: false, rejection: { code: "BAD_SIGN", verify: "BAD_SIGNATURE" } });
  });

  it("replayed ten minutes later, is BAD_SIGN / STALE_TIMESTAMP", () => {
    const body = notifyBody("TRANSACTION.SUCCESS", paid);
    const headers = signedHeaders(body, signers.publicKey, { timestamp: NOW - 600 });
    expect(parseV3PayNotify({ headers, body }, config)).toMatchObject({
      ok: false,
      rejection: { code: "BAD_SIGN", verify: "STALE_TIMESTAMP" },
    });
  });

  it("from a key we do not hold, names the serial so the certificates can be refreshed", () => {
    const body = notifyBody("TRANSACTION.SUCCESS", paid);
    const other = { ...signers.platform, serial: "7132D72A03E93CDDF8C03BBD1F37EEDF6E6BDEA5" };
    expect(
      parseV3PayNotify({ headers: signedHeaders(body, other, { timestamp: NOW }), body }, config),
    ).toMatchObject({
      ok: false,
      rejection: {
        code: "BAD_SIGN",
        verify: "UNKNOWN_SERIAL",
        serial: "7132D72A03E93CDDF8C03BBD1F37EEDF6E6BDEA5",
      },
    });
  });

  it("without its Wechatpay-* headers, is BAD_SIGN / MISSING_HEADER", () => {
    expect(
      parseV3PayNotify({ headers: {}, body: notifyBody("TRANSACTION.SUCCESS", paid) }, config),
    ).toMatchObject({
      ok: false,
      rejection: { code: "BAD_SIGN", verify: "MISSING_HEADER" },
    });
  });

  it("sealed with another APIv3 key, is BAD_RESOURCE", () => {
    const body = notifyBody("TRANSACTION.SUCCESS", paid, { key: "0".repeat(32) });
    expect(
      parseV3PayNotify({ headers: signedHeaders(body, signers.publicKey, { timestamp: NOW }), body }, config),
    ).toMatchObject({ ok: false, rejection: { code: "BAD_RESOURCE" } });
  });

  it("naming another algorithm, is BAD_RESOURCE without decrypting", () => {
    const body = notifyBody("TRANSACTION.SUCCESS", paid, { algorithm: "AEAD_SM4_GCM" });
    expect(
      parseV3PayNotify({ headers: signedHeaders(body, signers.publicKey, { timestamp: NOW }), body }, config),
    ).toMatchObject({
      ok: false,
      rejection: { code: "BAD_RESOURCE", message: expect.stringContaining("AEAD_AES_256_GCM") },
    });
  });

  it("signed but not JSON, or JSON without a resource, is BAD_JSON", () => {
    for (const body of ["{not json", "[]", '{"id":"x","event_type":"TRANSACTION.SUCCESS"}', "\u00ff\u00fe"]) {
      const headers = signedHeaders(body, signers.publicKey, { timestamp: NOW });
      expect(parseV3PayNotify({ headers, body }, config)).toMatchObject({
        ok: false,
        rejection: { code: "BAD_JSON" },
      });
    }
  });

  it("handed over already parsed (an object, not the raw bytes), is refused with a hint, not a throw", () => {
    const n = delivered("TRANSACTION.SUCCESS", paid);
    const parsed = { headers: n.headers, body: JSON.parse(n.body) as unknown as string };
    expect(parseV3PayNotify(parsed, config)).toMatchObject({
      ok: false,
      rejection: { code: "BAD_JSON", message: expect.stringContaining("raw body") },
    });
  });

  it("larger than the limit, is refused before verification", () => {
    const body = " ".repeat(70 * 1024);
    expect(
      parseV3PayNotify({ headers: signedHeaders(body, signers.publicKey, { timestamp: NOW }), body }, config),
    ).toMatchObject({
      ok: false,
      rejection: { code: "BAD_JSON", message: expect.stringContaining("larger") },
    });
  });

  it("whatever the signed body, the parsers answer with a typed result and never throw", () => {
    fc.assert(
      fc.property(fc.oneof(fc.json(), fc.string({ maxLength: 500 })), (body) => {
        const m = { headers: signedHeaders(body, signers.publicKey, { timestamp: NOW }), body };
        expect(parseV3PayNotify(m, config).ok).toBe(false);
        expect(parseV3RefundNotify(m, config).ok).toBe(false);
      }),
      { numRuns: 150 },
    );
  });
});

describe("refund notifies", () => {
  it.each([
    ["REFUND.SUCCESS", "SUCCESS"],
    ["REFUND.ABNORMAL", "ABNORMAL"],
    ["REFUND.CLOSED", "CLOSED"],
  ])("%s gives refundStatus %s with the partial amount in fen", (eventType, status) => {
    const r = parseV3RefundNotify(delivered(eventType, { ...refunded, refund_status: status }), config);
    expect(r).toMatchObject({
      ok: true,
      notification: {
        apiVersion: "v3",
        eventType,
        refundStatus: status,
        outRefundNo: "R20261129000001",
        refundId: "50200207182018070300011301001",
        totalFen: 1990,
        refundFen: 500,
        payerRefundFen: 500,
      },
    });
  });

  it("an event whose resource says another status is refused", () => {
    expect(
      parseV3RefundNotify(delivered("REFUND.SUCCESS", { ...refunded, refund_status: "CLOSED" }), config),
    ).toMatchObject({ ok: false, rejection: { code: "MISSING_FIELD" } });
  });
});

describe("the reply WeChat expects", () => {
  it("success is 204 with no body; failure is a 5xx with WeChat's FAIL body", () => {
    expect(v3NotifyReply(true)).toEqual({ status: 204, body: "", contentType: "application/json" });
    const fail = v3NotifyReply(false, "验签失败\n");
    expect(fail.status).toBe(500);
    expect(JSON.parse(fail.body)).toEqual({ code: "FAIL", message: "验签失败" });
  });
});
