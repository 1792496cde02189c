import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";

import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import {
  CertificateStore,
  createV3Client,
  encryptAeadAesGcm,
  encryptionKey,
  rsaOaepDecrypt,
  WechatPayTransportError,
  WechatPayV3ApiError,
  WechatPayV3InputError,
  WechatPayV3VerifyError,
  WechatpayVerifier,
  wechatpayPublicKey,
} from "@wxpay/wechatpay/v3";
import type { TV3ClientConfig } from "@wxpay/wechatpay/v3";

import { makeTestPki } from "../helpers/test-pki";
import type { TTestPki } from "../helpers/test-pki";
import {
  APIV3_KEY,
  merchant,
  PUB_KEY_ID,
  signers,
  startV3Server,
  V3_APPID,
  V3_MCH_ID,
  V3_MINI_APPID,
  V3_OPENID,
  wechat,
} from "../helpers/wechat-pay-v3-server";
import type { TV3Server } from "../helpers/wechat-pay-v3-server";

let pki: TTestPki;
let server: TV3Server;

beforeAll(async () => {
  pki = makeTestPki(V3_MCH_ID);
  server = await startV3Server({ keyPem: pki.serverKeyPem, certPem: pki.serverCertPem, caPem: pki.caPem });
});
afterAll(async () => {
  await server.close();
  pki.cleanup();
});
beforeEach(() => {
  server.requests.length = 0;
});

const publicKeyVerifier = () =>
  new WechatpayVerifier({ publicKey: wechatpayPublicKey(PUB_KEY_ID, wechat.publicKeyPem) });

function client(over: Partial<TV3ClientConfig> = {}) {
  return createV3Client({
    mchId: V3_MCH_ID,
    privateKey: merchant.privateKeyPem,
    serialNo: merchant.serialNo,
    verifier: publicKeyVerifier(),
    baseUrl: server.baseUrl,
    fetch: server.fetch,
    timeoutMs: 5000,
    ...over,
  });
}

const order = {
  appId: V3_APPID,
  description: "Image形象店-深圳腾大-QQ公仔",
  outTradeNo: "20261129aZ3kP9qLm2Xc7Rt5Vb8Nw4Hy",
  amount: { totalFen: 100 },
  notifyUrl: "https://shop.example.com/api/wechat/v3/pay/notify",
};

async function caught(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error("expected a rejection");
}

describe("ordering", () => {
  it("a JSAPI order is signed as WeChat checks it, sends exact JSON and returns the verified prepay_id", async () => {
    server.route("POST", "/v3/pay/transactions/jsapi", () => ({
      kind: "json",
      body: { prepay_id: "wx201410272009395522657a690389285100" },
    }));
    const r = await client().jsapiPrepay({
      ...order,
      payerOpenid: V3_OPENID,
      timeExpire: new Date("2026-11-29T02:30:00Z"),
    });
    expect(r).toEqual({ prepayId: "wx201410272009395522657a690389285100" });
    const sent = server.requests[0];
    expect(sent?.authorized).toBe(true);
    expect(sent?.headers["accept"]).toBe("application/json");
    expect(sent?.headers["content-type"]).toBe("application/json");
    expect(sent?.headers["user-agent"]).toMatch(/\S/);
    // The request names the key WeChat should sign the answer with.
    expect(sent?.headers["wechatpay-serial"]).toBe(PUB_KEY_ID);
    expect(JSON.parse(sent?.body ?? "")).toEqual({
      appid: V3_APPID,
      mchid: V3_MCH_ID,
      description: order.description,
      out_trade_no: order.outTradeNo,
      time_expire: "2026-11-29T10:30:00+08:00",
      notify_url: order.notifyUrl,
      amount: { total: 100, currency: "CNY" },
      payer: { openid: V3_OPENID },
    });
  });

  it("a mini-program order is the same call with the mini-program AppID", async () => {
    server.route("POST", "/v3/pay/transactions/jsapi", () => ({ kind: "json", body: { prepay_id: "wx2" } }));
    await client().jsapiPrepay({ ...order, appId: V3_MINI_APPID, payerOpenid: V3_OPENID });
    expect(JSON.parse(server.requests[0]?.body ?? "")).toMatchObject({ appid: V3_MINI_APPID });
  });

  it("H5 sends the payer's IP and h5_info; Native returns the code_url", async () => {
    server.route("POST", "/v3/pay/transactions/h5", () => ({
      kind: "json",
      body: {
        h5_url: "https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id=wx1&package=1037687096",
      },
    }));
    server.route("POST", "/v3/pay/transactions/native", () => ({
      kind: "json",
      body: { code_url: "weixin://wxpay/bizpayurl?pr=p4lpSuKzz" },
    }));
    const h5 = await client().h5Prepay({ ...order, payerClientIp: "203.0.113.7", h5Type: "Wap" });
    expect(h5.h5Url).toContain("checkmweb");
    expect(JSON.parse(server.requests[0]?.body ?? "")).toMatchObject({
      scene_info: { payer_client_ip: "203.0.113.7", h5_info: { type: "Wap" } },
    });
    expect(await client().nativePrepay(order)).toEqual({ codeUrl: "weixin://wxpay/bizpayurl?pr=p4lpSuKzz" });
  });

  it.each([
    ["an out_trade_no with a dot", { outTradeNo: "2026.11.29-1" }, "out_trade_no"],
    ["a five-character out_trade_no", { outTradeNo: "abcde" }, "out_trade_no"],
    ["a 128-character description", { description: "商".repeat(128) }, "description"],
    ["an emoji in the description", { description: "T恤 👕" }, "description"],
    ["a fractional amount", { amount: { totalFen: 9.9 } }, "amount.total"],
    ["a zero amount", { amount: { totalFen: 0 } }, "amount.total"],
    ["an http notify_url", { notifyUrl: "http://shop.example.com/notify" }, "notify_url"],
    ["a notify_url with a query", { notifyUrl: "https://shop.example.com/notify?order=1" }, "notify_url"],
    ["a time_expire without offset", { timeExpire: "2026-11-29T10:30:00" }, "time_expire"],
  ])("%s is refused before anything is sent", async (_name, change, field) => {
    const e = await caught(client().nativePrepay({ ...order, ...change }));
    expect(e).toBeInstanceOf(WechatPayV3InputError);
    expect((e as WechatPayV3InputError).field).toBe(field);
    expect(server.requests).toHaveLength(0);
  });
});

describe("answers that cannot be believed", () => {
  it("a WECHATPAY/SIGNTEST/ probe on an order answer leaves the outcome unknown: query first", async () => {
    server.route("POST", "/v3/pay/transactions/native", () => ({
      kind: "json",
      body: { code_url: "weixin://wxpay/bizpayurl?pr=x" },
      signature: "WECHATPAY/SIGNTEST/" + "A".repeat(340),
    }));
    const e = await caught(client().nativePrepay(order));
    expect(e).toBeInstanceOf(WechatPayV3VerifyError);
    expect(e).toMatchObject({
      code: "BAD_RESPONSE_SIGN",
      remedy: "QUERY_ORDER",
      verify: { code: "SIGNATURE_PROBE" },
    });
  });

  it("an answer signed by a certificate the merchant does not hold names that serial", async () => {
    server.route("GET", "/v3/pay/transactions/out-trade-no/" + order.outTradeNo, () => ({
      kind: "json",
      body: { appid: V3_APPID, mchid: V3_MCH_ID, out_trade_no: order.outTradeNo, trade_state: "NOTPAY" },
      signer: signers.platform,
    }));
    const e = await caught(client().queryByOutTradeNo(order.outTradeNo));
    expect(e).toMatchObject({
      verify: { code: "UNKNOWN_SERIAL", serial: wechat.platformSerial },
      remedy: "RETRY_SAME",
    });
  });

  it("an answer eleven minutes old is refused", async () => {
    server.route("GET", "/v3/pay/transactions/out-trade-no/" + order.outTradeNo, () => ({
      kind: "json",
      body: { appid: V3_APPID, mchid: V3_MCH_ID, out_trade_no: order.outTradeNo, trade_state: "NOTPAY" },
      timestamp: Math.floor(Date.now() / 1000) - 660,
    }));
    expect(await caught(client().queryByOutTradeNo(order.outTradeNo))).toMatchObject({
      verify: { code: "STALE_TIMESTAMP" },
    });
  });

  it("an answer without Wechatpay-* headers is refused", async () => {
    server.route("POST", "/v3/pay/transactions/native", () => ({
      kind: "raw",
      status: 200,
      body: '{"code_url":"weixin://wxpay/bizpayurl?pr=x"}',
    }));
    expect(await caught(client().nativePrepay(order))).toMatchObject({ verify: { code: "MISSING_HEADER" } });
  });
});

describe("WeChat's errors", () => {
  it("a PARAM_ERROR body becomes a typed error with the HTTP status, detail and a fix-the-request remedy", async () => {
    server.route("POST", "/v3/pay/transactions/native", () => ({
      kind: "raw",
      status: 400,
      body: JSON.stringify({
        code: "PARAM_ERROR",
        message: "参数错误",
        detail: {
          field: "/amount/currency",
          value: "XYZ",
          issue: "Currency code is invalid",
          location: "body",
        },
      }),
      headers: { "request-id": "08F5B8C2B506102C18FDDFEEA30620BE821E28EDC405-268435461" },
    }));
    const e = await caught(client().nativePrepay(order));
    expect(e).toBeInstanceOf(WechatPayV3ApiError);
    expect(e).toMatchObject({
      code: "PARAM_ERROR",
      status: 400,
      remedy: "FIX_REQUEST",
      retryable: false,
      wechatMessage: "参数错误",
      detail: { field: "/amount/currency" },
      requestId: "08F5B8C2B506102C18FDDFEEA30620BE821E28EDC405-268435461",
    });
  });

  it.each([
    [500, "SYSTEM_ERROR", "RETRY_SAME", true],
    [429, "FREQUENCY_LIMITED", "RETRY_LATER", true],
    [403, "OUT_TRADE_NO_USED", "NEW_OUT_TRADE_NO", false],
    [403, "NOT_ENOUGH", "USER_ACTION", false],
    [401, "SIGN_ERROR", "FIX_CONFIG", false],
    [400, "ORDER_CLOSED", "NEW_OUT_TRADE_NO", false],
    [403, "SOMETHING_NEW", "UNKNOWN", false],
  ])("HTTP %i %s → %s", async (status, code, remedy, retryable) => {
    server.route("POST", "/v3/pay/transactions/native", () => ({
      kind: "raw",
      status,
      body: JSON.stringify({ code, message: "…" }),
    }));
    expect(await caught(client().nativePrepay(order))).toMatchObject({ code, status, remedy, retryable });
  });

  it("a 502 without a JSON body is a retryable transport error; the order's outcome is unknown", async () => {
    server.route("POST", "/v3/pay/transactions/native", () => ({
      kind: "raw",
      status: 502,
      body: "<html>bad gateway",
    }));
    const e = await caught(client().nativePrepay(order));
    expect(e).toBeInstanceOf(WechatPayTransportError);
    expect(e).toMatchObject({ code: "HTTP_STATUS", status: 502, remedy: "QUERY_ORDER", retryable: true });
  });

  it("an answer larger than the configured limit is refused without reading it all", async () => {
    server.route("POST", "/v3/pay/transactions/native", () => ({
      kind: "json",
      body: { code_url: "weixin://wxpay/bizpayurl?pr=" + "x".repeat(5000) },
    }));
    expect(await caught(client({ maxResponseBytes: 1024 }).nativePrepay(order))).toMatchObject({
      code: "RESPONSE_TOO_LARGE",
    });
  });

  it("a signed 200 whose body is not JSON is BAD_RESPONSE, and the order's outcome is unknown", async () => {
    server.route("POST", "/v3/pay/transactions/native", () => ({ kind: "json", body: "not an object" }));
    expect(await caught(client().nativePrepay(order))).toMatchObject({
      code: "BAD_RESPONSE",
      remedy: "QUERY_ORDER",
    });
  });

  it("a request signed with another key is refused by WeChat with SIGN_ERROR (fix config)", async () => {
    const e = await caught(
      client({ serialNo: "0000000000000000000000000000000000000001" }).nativePrepay(order),
    );
    expect(e).toMatchObject({ code: "SIGN_ERROR", status: 401, remedy: "FIX_CONFIG" });
  });
});

describe("query and close", () => {
  const transaction = {
    appid: V3_APPID,
    mchid: V3_MCH_ID,
    out_trade_no: "20261129aZ3kP9qLm2Xc7Rt5Vb8Nw4Hy",
    transaction_id: "4200000985202103031441826014",
    trade_type: "JSAPI",
    trade_state: "SUCCESS",
    trade_state_desc: "支付成功",
    success_time: "2026-11-29T10:34:56+08:00",
    payer: { openid: V3_OPENID },
    amount: { total: 100, payer_total: 100, currency: "CNY", payer_currency: "CNY" },
  };

  it("by out_trade_no, the signed URL carries ?mchid= and the answer maps to fen and a Date", async () => {
    server.route("GET", "/v3/pay/transactions/out-trade-no/" + transaction.out_trade_no, () => ({
      kind: "json",
      body: transaction,
    }));
    const t = await client().queryByOutTradeNo(transaction.out_trade_no);
    expect(server.requests[0]?.url).toBe(
      `/v3/pay/transactions/out-trade-no/${transaction.out_trade_no}?mchid=${V3_MCH_ID}`,
    );
    expect(t).toMatchObject({
      tradeState: "SUCCESS",
      transactionId: "4200000985202103031441826014",
      totalFen: 100,
      paidAt: new Date("2026-11-29T02:34:56Z"),
      openid: V3_OPENID,
    });
  });

  it("by transaction_id", async () => {
    server.route("GET", "/v3/pay/transactions/id/4200000985202103031441826014", () => ({
      kind: "json",
      body: transaction,
    }));
    expect((await client().queryByTransactionId("4200000985202103031441826014")).outTradeNo).toBe(
      transaction.out_trade_no,
    );
  });

  it("an answer about another order is a mismatch, not a result", async () => {
    server.route("GET", "/v3/pay/transactions/out-trade-no/" + transaction.out_trade_no, () => ({
      kind: "json",
      body: { ...transaction, out_trade_no: "someone-elses-order" },
    }));
    expect(await caught(client().queryByOutTradeNo(transaction.out_trade_no))).toMatchObject({
      code: "RESPONSE_MISMATCH",
    });
  });

  it("ORDER_NOT_EXIST is NOT_FOUND", async () => {
    server.route("GET", "/v3/pay/transactions/out-trade-no/nosuchorder1", () => ({
      kind: "raw",
      status: 404,
      body: JSON.stringify({ code: "ORDER_NOT_EXIST", message: "查询单据不存在" }),
    }));
    expect(await caught(client().queryByOutTradeNo("nosuchorder1"))).toMatchObject({
      remedy: "NOT_FOUND",
      status: 404,
    });
  });

  it("close answers 204, signed over an empty body, and sends only mchid", async () => {
    server.route("POST", `/v3/pay/transactions/out-trade-no/${transaction.out_trade_no}/close`, () => ({
      kind: "json",
      status: 204,
    }));
    await expect(client().closeOrder(transaction.out_trade_no)).resolves.toBeUndefined();
    expect(server.requests[0]?.body).toBe(`{"mchid":"${V3_MCH_ID}"}`);
  });
});

describe("refunds", () => {
  const refund = {
    refund_id: "50000000382019052709732678859",
    out_refund_no: "R20261129000001",
    transaction_id: "4200000985202103031441826014",
    out_trade_no: "20261129aZ3kP9qLm2Xc7Rt5Vb8Nw4Hy",
    channel: "ORIGINAL",
    user_received_account: "支付用户零钱",
    create_time: "2026-11-29T11:00:00+08:00",
    status: "PROCESSING",
    amount: { total: 1990, refund: 500, payer_total: 1990, payer_refund: 500, currency: "CNY" },
  };

  it("a partial refund sends both amounts in fen and returns the accepted refund", async () => {
    server.route("POST", "/v3/refund/domestic/refunds", () => ({ kind: "json", body: refund }));
    const r = await client().refund({
      outTradeNo: refund.out_trade_no,
      outRefundNo: refund.out_refund_no,
      refundFen: 500,
      totalFen: 1990,
      reason: "尺码不合适",
    });
    expect(JSON.parse(server.requests[0]?.body ?? "")).toEqual({
      out_trade_no: refund.out_trade_no,
      out_refund_no: refund.out_refund_no,
      reason: "尺码不合适",
      amount: { refund: 500, total: 1990, currency: "CNY" },
    });
    expect(r).toMatchObject({
      status: "PROCESSING",
      refundFen: 500,
      totalFen: 1990,
      refundId: refund.refund_id,
    });
  });

  it("a refund above the total is refused before sending", async () => {
    const e = await caught(
      client().refund({
        outTradeNo: refund.out_trade_no,
        outRefundNo: "R1",
        refundFen: 2000,
        totalFen: 1990,
      }),
    );
    expect(e).toMatchObject({ field: "amount.refund" });
    expect(server.requests).toHaveLength(0);
  });

  it("a refund SYSTEM_ERROR says: same out_refund_no, same parameters", async () => {
    server.route("POST", "/v3/refund/domestic/refunds", () => ({
      kind: "raw",
      status: 500,
      body: JSON.stringify({ code: "SYSTEM_ERROR", message: "系统超时" }),
    }));
    const e = (await caught(
      client().refund({
        transactionId: refund.transaction_id,
        outRefundNo: "R1",
        refundFen: 1,
        totalFen: 1990,
      }),
    )) as WechatPayV3ApiError;
    expect(e.remedy).toBe("RETRY_SAME");
    expect(e.hint).toContain("请不要更换商户退款单号");
  });

  it("refund query by out_refund_no", async () => {
    server.route("GET", "/v3/refund/domestic/refunds/R20261129000001", () => ({
      kind: "json",
      body: { ...refund, status: "SUCCESS", success_time: "2026-11-29T11:01:00+08:00" },
    }));
    expect(await client().queryRefund("R20261129000001")).toMatchObject({
      status: "SUCCESS",
      succeededAt: new Date("2026-11-29T03:01:00Z"),
    });
  });
});

describe("bills", () => {
  const csv = "\uFEFF交易时间,公众账号ID,商户号\r\n`2026-11-28 10:00:00,`wxd678efh567hg6787,`1234567891\r\n";
  const sha1 = createHash("sha1").update(csv).digest("hex");

  it("a trade bill is located, downloaded unsigned and checked against its SHA1 (gzip inflated first)", async () => {
    server.route("GET", "/v3/bill/tradebill", () => ({
      kind: "json",
      body: {
        hash_type: "SHA1",
        hash_value: sha1,
        download_url: `${server.baseUrl}/v3/billdownload/file?token=abc`,
      },
    }));
    server.route("GET", "/v3/billdownload/file", () => ({ kind: "raw", status: 200, body: gzipSync(csv) }));
    const c = client();
    const info = await c.tradeBill({ billDate: "2026-11-28", billType: "ALL", tarType: "GZIP" });
    expect(server.requests[0]?.url).toBe(
      "/v3/bill/tradebill?bill_date=2026-11-28&bill_type=ALL&tar_type=GZIP",
    );
    const file = await c.downloadBill(info);
    expect(file.toString("utf8")).toBe(csv);
    expect(server.requests[1]?.authorized).toBe(true);
  });

  it("a file whose SHA1 differs is refused", async () => {
    server.route("GET", "/v3/billdownload/file", () => ({
      kind: "raw",
      status: 200,
      body: csv + "tampered",
    }));
    const e = await caught(
      client().downloadBill({
        hashType: "SHA1",
        hashValue: sha1.toUpperCase(),
        downloadUrl: `${server.baseUrl}/v3/billdownload/file?token=abc`,
      }),
    );
    expect(e).toMatchObject({ code: "BAD_RESPONSE", message: expect.stringContaining("SHA1") });
  });

  it("a download_url on another host is never followed (it would carry our Authorization)", async () => {
    const e = await caught(
      client().downloadBill({
        hashType: "SHA1",
        hashValue: sha1,
        downloadUrl: "https://evil.example/v3/billdownload/file?t=1",
      }),
    );
    expect(e).toBeInstanceOf(WechatPayV3InputError);
    expect(server.requests).toHaveLength(0);
  });

  it("the fund-flow bill asks for its account type; STATEMENT_CREATING says retry later", async () => {
    server.route("GET", "/v3/bill/fundflowbill", () => ({
      kind: "raw",
      status: 400,
      body: JSON.stringify({ code: "STATEMENT_CREATING", message: "账单生成中" }),
    }));
    const e = await caught(client().fundFlowBill({ billDate: "2026-11-28", accountType: "BASIC" }));
    expect(server.requests[0]?.url).toBe("/v3/bill/fundflowbill?bill_date=2026-11-28&account_type=BASIC");
    expect(e).toMatchObject({ code: "STATEMENT_CREATING", remedy: "RETRY_LATER" });
  });
});

describe("platform certificates", () => {
  function certificatesBody(serial = wechat.platformSerial) {
    const nonce = "uluk4a9R25RW";
    return {
      data: [
        {
          serial_no: serial,
          effective_time: "2023-09-19T23:15:58+08:00",
          expire_time: "2033-09-17T23:15:58+08:00",
          encrypt_certificate: {
            algorithm: "AEAD_AES_256_GCM",
            nonce,
            associated_data: "certificate",
            ciphertext: encryptAeadAesGcm({
              key: APIV3_KEY,
              nonce,
              associatedData: "certificate",
              plaintext: wechat.platformCertPem,
            }),
          },
        },
      ],
    };
  }

  it("a certificate merchant downloads, decrypts and verifies the list with the certificate it brings", async () => {
    server.route("GET", "/v3/certificates", () => ({
      kind: "json",
      body: certificatesBody(),
      signer: signers.platform,
    }));
    const store = new CertificateStore();
    const c = client({ verifier: new WechatpayVerifier({ certificates: store }) });
    const r = await c.downloadCertificates(APIV3_KEY);
    expect(r.kind === "certificates" && r.certificates.map((x) => x.serialNo)).toEqual([
      wechat.platformSerial,
    ]);
  });

  it("when an answer names a rotated-in certificate, the client refreshes once and then believes it", async () => {
    server.route("GET", "/v3/certificates", () => ({
      kind: "json",
      body: certificatesBody(),
      signer: signers.platform,
    }));
    server.route("GET", "/v3/refund/domestic/refunds/R1", () => ({
      kind: "json",
      signer: signers.platform,
      body: {
        refund_id: "1",
        out_refund_no: "R1",
        transaction_id: "4200000985202103031441826014",
        out_trade_no: "20261129aZ3kP9qLm2Xc7Rt5Vb8Nw4Hy",
        status: "SUCCESS",
        amount: { total: 2, refund: 1 },
      },
    }));
    const holder: { c?: ReturnType<typeof client> } = {};
    const store = new CertificateStore([], {
      download: () => (holder.c as ReturnType<typeof client>).downloadCertificates(APIV3_KEY),
    });
    holder.c = client({
      verifier: new WechatpayVerifier({ certificates: store }),
      onUnknownSerial: (serial) => store.refreshFor(serial),
    });
    expect((await holder.c.queryRefund("R1")).status).toBe("SUCCESS");
    expect(store.serials()).toEqual([wechat.platformSerial]);
  });

  it("a list whose certificate is filed under another serial is refused", async () => {
    server.route("GET", "/v3/certificates", () => ({
      kind: "json",
      body: certificatesBody("0123456789ABCDEF"),
      signer: signers.platform,
    }));
    expect(await caught(client().downloadCertificates(APIV3_KEY))).toMatchObject({ code: "BAD_RESPONSE" });
  });

  it("a list decrypted with the wrong APIv3 key is a typed AEAD error", async () => {
    server.route("GET", "/v3/certificates", () => ({
      kind: "json",
      body: certificatesBody(),
      signer: signers.platform,
    }));
    expect(await caught(client().downloadCertificates("0".repeat(32)))).toMatchObject({
      code: "AEAD_BAD_TAG",
    });
  });

  it("a public-key merchant is told that no platform certificate exists", async () => {
    server.route("GET", "/v3/certificates", () => ({
      kind: "raw",
      status: 404,
      body: JSON.stringify({
        code: "RESOURCE_NOT_EXISTS",
        message: "无可用的平台证书，请在商户平台-API安全申请使用微信支付公钥。",
      }),
    }));
    expect(await client().downloadCertificates(APIV3_KEY)).toEqual({
      kind: "none",
      message: "无可用的平台证书，请在商户平台-API安全申请使用微信支付公钥。",
    });
  });
});

describe("sensitive fields", () => {
  it("encrypts with the WeChat Pay public key and names its id as Wechatpay-Serial on the request", async () => {
    const c = client();
    const key = encryptionKey({ publicKey: wechatpayPublicKey(PUB_KEY_ID, wechat.publicKeyPem) });
    if (!key) throw new Error("no encryption key");
    const sealed = c.encryptSensitive("6222021234567890", key);
    expect(rsaOaepDecrypt(wechat.publicKeyPrivate, sealed.ciphertext)).toBe("6222021234567890");
    server.route(
      "POST",
      "/v3/refund/domestic/refunds/50000000382019052709732678859/apply-abnormal-refund",
      () => ({
        kind: "json",
        body: { refund_id: "50000000382019052709732678859" },
      }),
    );
    await c.request(
      "POST",
      "/v3/refund/domestic/refunds/50000000382019052709732678859/apply-abnormal-refund",
      {
        out_refund_no: "R1",
        type: "USER_BANK_CARD",
        bank_type: "ICBC_DEBIT",
        bank_account: sealed.ciphertext,
      },
      { wechatpaySerial: sealed.serial },
    );
    expect(server.requests[0]?.headers["wechatpay-serial"]).toBe(PUB_KEY_ID);
  });
});
