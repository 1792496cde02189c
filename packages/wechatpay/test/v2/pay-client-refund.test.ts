// Refunds go over mutual TLS ("请求需要双向证书"): these tests run a local HTTPS server that requires a
// client certificate signed by its CA, with certificates made by the openssl CLI for this run.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { WechatPayApiError, WechatPayError, WechatPayTransportError, createPayClient } from "../../src/index";
import type { PayClient, TMerchantCert, TRefundInput } from "../../src/index";
import { APP_ID, KEY, MCH_ID } from "../helpers/merchant";
import { businessFail, startPayServer, success } from "../helpers/wechat-pay-server";
import type { TPayServer } from "../helpers/wechat-pay-server";
import { makeTestPki } from "../helpers/test-pki";
import type { TTestPki } from "../helpers/test-pki";

const TX_ID = "4200000215201811190261405420";

const REFUND: TRefundInput = {
  outTradeNo: "20260301AbCdEfGhIjKlMnOpQrStUvWx",
  outRefundNo: "R20260301000001",
  totalFeeFen: 3960,
  refundFeeFen: 1000,
  refundDesc: "商品缺货",
  notifyUrl: "https://shop.example.com/api/wechat/refund/notify",
};

function accepted(): ReturnType<typeof success> {
  return success(APP_ID, MCH_ID, {
    transaction_id: TX_ID,
    out_trade_no: REFUND.outTradeNo as string,
    out_refund_no: REFUND.outRefundNo,
    refund_id: "50000408942018111907145868882",
    refund_fee: 1000,
    total_fee: 3960,
    cash_fee: 3960,
  });
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error("expected the call to fail");
}

describe("refund over mutual TLS", () => {
  let pki: TTestPki;
  let server: TPayServer;

  function client(cert: TMerchantCert | undefined, baseUrl = server.baseUrl): PayClient {
    return createPayClient({
      baseUrl,
      mchId: MCH_ID,
      key: KEY,
      signType: "MD5",
      appId: APP_ID,
      ...(cert ? { cert } : {}),
    });
  }

  beforeAll(async () => {
    pki = makeTestPki(MCH_ID);
    server = await startPayServer({
      mchId: MCH_ID,
      key: KEY,
      signType: "MD5",
      tls: {
        keyPem: pki.serverKeyPem,
        certPem: pki.serverCertPem,
        caPem: pki.caPem,
        requireClientCert: true,
      },
    });
  });
  afterAll(async () => {
    await server.close();
    pki.cleanup();
  });
  beforeEach(() => {
    server.requests.length = 0;
    server.route("/secapi/pay/refund", () => accepted());
  });

  it("a PEM merchant certificate is presented and the accepted refund comes back typed", async () => {
    const result = await client({
      certPem: pki.clientCertPem,
      keyPem: pki.clientKeyPem,
      caPem: pki.caPem,
    }).refund(REFUND);
    expect(result).toMatchObject({
      transactionId: TX_ID,
      outRefundNo: "R20260301000001",
      refundId: "50000408942018111907145868882",
      refundFeeFen: 1000,
      totalFeeFen: 3960,
      cashFeeFen: 3960,
    });
    const req = server.requests[0];
    expect(req?.clientCertCN).toBe(MCH_ID);
    expect(req?.path).toBe("/secapi/pay/refund");
    expect(req?.fields).toMatchObject({
      out_trade_no: REFUND.outTradeNo,
      out_refund_no: "R20260301000001",
      total_fee: "3960",
      refund_fee: "1000",
      refund_desc: "商品缺货",
      notify_url: "https://shop.example.com/api/wechat/refund/notify",
    });
  });

  it("a PKCS#12 certificate works too, with the mch_id as its default passphrase", async () => {
    const result = await client({ pfx: pki.clientPfx, caPem: pki.caPem }).refund(REFUND);
    expect(result.refundId).toBe("50000408942018111907145868882");
    expect(server.requests[0]?.clientCertCN).toBe(MCH_ID);
  });

  it("without a certificate an https refund is refused before anything is sent", async () => {
    const err = await rejection(client(undefined).refund(REFUND));
    expect(err).toBeInstanceOf(WechatPayError);
    expect(err).toMatchObject({ code: "CERT_REQUIRED", remedy: "FIX_CONFIG" });
    expect(server.requests).toHaveLength(0);
  });

  it("a certificate the server does not trust fails the handshake as a NETWORK error", async () => {
    const err = await rejection(
      client({ certPem: pki.intruderCertPem, keyPem: pki.intruderKeyPem, caPem: pki.caPem }).refund(REFUND),
    );
    expect(err).toBeInstanceOf(WechatPayTransportError);
    expect((err as WechatPayTransportError).code).toBe("NETWORK");
    expect(server.requests).toHaveLength(0);
  });

  it("a server whose certificate does not verify is refused before anything is sent, as a configuration error", async () => {
    const err = await rejection(
      client({ certPem: pki.clientCertPem, keyPem: pki.clientKeyPem }).refund(REFUND),
    );
    expect(err).toBeInstanceOf(WechatPayTransportError);
    expect(err).toMatchObject({ code: "TLS_SERVER_UNTRUSTED", retryable: false, remedy: "FIX_CONFIG" });
    expect(server.requests).toHaveLength(0);
  });

  it("an unloadable certificate is refused when the client is created", () => {
    expect(() => client({ pfx: pki.clientPfx, passphrase: "wrong" })).toThrow(
      expect.objectContaining({ code: "BAD_CERT" }),
    );
    expect(() => client({ certPem: pki.clientCertPem, keyPem: pki.intruderKeyPem })).toThrow(
      expect.objectContaining({ code: "BAD_CERT" }),
    );
    expect(() => client({ certPem: pki.clientCertPem })).toThrow(
      expect.objectContaining({ code: "BAD_CONFIG" }),
    );
    expect(() =>
      client({ pfx: pki.clientPfx, certPem: pki.clientCertPem, keyPem: pki.clientKeyPem }),
    ).toThrow(expect.objectContaining({ code: "BAD_CONFIG" }));
  });

  it("SYSTEMERROR tells the caller to retry with the same out_refund_no; the retry is accepted once", async () => {
    let calls = 0;
    server.route("/secapi/pay/refund", () =>
      ++calls === 1 ? businessFail(APP_ID, MCH_ID, "SYSTEMERROR", "系统超时") : accepted(),
    );
    const c = client({ certPem: pki.clientCertPem, keyPem: pki.clientKeyPem, caPem: pki.caPem });
    const err = await rejection(c.refund(REFUND));
    expect(err).toBeInstanceOf(WechatPayApiError);
    expect(err).toMatchObject({
      errCode: "SYSTEMERROR",
      remedy: "RETRY_SAME",
      retryable: true,
      api: "refund",
    });
    const result = await c.refund(REFUND);
    expect(result.outRefundNo).toBe(REFUND.outRefundNo);
    expect(server.requests.map((r) => r.fields?.out_refund_no)).toEqual([
      REFUND.outRefundNo,
      REFUND.outRefundNo,
    ]);
  });

  it.each([
    ["NOTENOUGH", "MANUAL", false],
    ["ORDERNOTEXIST", "NOT_FOUND", false],
    ["BIZERR_NEED_RETRY", "RETRY_SAME", true],
    ["INVALID_REQ_TOO_MUCH", "RETRY_LATER", true],
    ["FREQUENCY_LIMITED", "RETRY_LATER", true],
    ["TRADE_OVERDUE", "MANUAL", false],
    ["USER_ACCOUNT_ABNORMAL", "MANUAL", false],
    ["INVALID_TRANSACTIONID", "FIX_REQUEST", false],
  ] as const)("refund err_code %s → remedy %s", async (errCode, remedy, retryable) => {
    server.route("/secapi/pay/refund", () => businessFail(APP_ID, MCH_ID, errCode, "x"));
    const err = await rejection(client({ pfx: pki.clientPfx, caPem: pki.caPem }).refund(REFUND));
    expect(err).toMatchObject({ errCode, remedy, retryable });
  });

  it("a timed-out refund is a retryable TIMEOUT", async () => {
    server.route("/secapi/pay/refund", () => ({ kind: "hang" }));
    const c = createPayClient({
      baseUrl: server.baseUrl,
      mchId: MCH_ID,
      key: KEY,
      signType: "MD5",
      appId: APP_ID,
      timeoutMs: 200,
      cert: { pfx: pki.clientPfx, caPem: pki.caPem },
    });
    const err = await rejection(c.refund(REFUND));
    expect(err).toMatchObject({ code: "TIMEOUT", retryable: true, remedy: "RETRY_SAME" });
  });

  it("a refund reply about another refund, or signed with another key, is not trusted", async () => {
    const c = client({ pfx: pki.clientPfx, caPem: pki.caPem });
    server.route("/secapi/pay/refund", () =>
      success(APP_ID, MCH_ID, {
        transaction_id: TX_ID,
        out_trade_no: "x",
        out_refund_no: "OTHER",
        refund_id: "1",
        refund_fee: 1,
        total_fee: 1,
      }),
    );
    expect(await rejection(c.refund(REFUND))).toMatchObject({ code: "BAD_RESPONSE" });
    server.route(
      "/secapi/pay/refund",
      () => ({ ...accepted(), key: "ffffffffffffffffffffffffffffffff" }) as ReturnType<typeof accepted>,
    );
    expect(await rejection(c.refund(REFUND))).toMatchObject({ code: "BAD_RESPONSE_SIGN" });
  });

  it("amounts are checked before sending: positive fen, refund not above the order", async () => {
    const c = client({ pfx: pki.clientPfx, caPem: pki.caPem });
    for (const over of [
      { refundFeeFen: 0 },
      { refundFeeFen: 3961 },
      { totalFeeFen: 39.6 },
      { outRefundNo: "bad no" },
      { notifyUrl: "https://x/?a=1" },
    ]) {
      expect(await rejection(c.refund({ ...REFUND, ...over })), JSON.stringify(over)).toMatchObject({
        code: "BAD_INPUT",
      });
    }
    expect(server.requests).toHaveLength(0);
  });

  it("over plain http (the local simulator) the refund goes through fetch without a certificate", async () => {
    const plain = await startPayServer({ mchId: MCH_ID, key: KEY, signType: "MD5" });
    try {
      plain.route("/secapi/pay/refund", () => accepted());
      const result = await client(undefined, plain.baseUrl).refund(REFUND);
      expect(result.refundFeeFen).toBe(1000);
    } finally {
      await plain.close();
    }
  });
});
