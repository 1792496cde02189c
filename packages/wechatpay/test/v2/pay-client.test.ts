import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import {
  WechatPayApiError,
  WechatPayError,
  WechatPayTransportError,
  buildXml,
  createPayClient,
  nonceStr,
  sign,
} from "../../src/index";
import type { PayClient, SignType, TPayClientConfig, TUnifiedOrderInput } from "../../src/index";
import { APP_ID, KEY, MCH_ID, MINI_APP_ID, OLD_KEY, OPENID, OTHER_KEY } from "../helpers/merchant";
import { businessFail, envelope, returnFail, startPayServer, success } from "../helpers/wechat-pay-server";
import type { TPayServer, TReply } from "../helpers/wechat-pay-server";

const NOW = new Date("2026-03-01T02:00:00Z"); // 10:00:00 in Beijing
const TX_ID = "4200000215201811190261405420"; // 28 digits: more than a double can hold exactly

function jsapiOrder(over: Partial<TUnifiedOrderInput> = {}): TUnifiedOrderInput {
  return {
    tradeType: "JSAPI",
    openid: OPENID,
    outTradeNo: "20260301AbCdEfGhIjKlMnOpQrStUvWx",
    body: "腾讯充值中心-QQ会员充值",
    totalFeeFen: 1,
    notifyUrl: "https://shop.example.com/api/wechat/pay/notify",
    spbillCreateIp: "203.0.113.7",
    timeExpire: new Date(NOW.getTime() + 30 * 60 * 1000),
    ...over,
  } as TUnifiedOrderInput;
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error("expected the call to fail");
}

describe("pay client against a local WeChat Pay endpoint", () => {
  let server: TPayServer;
  let client: PayClient;

  function makeClient(over: Partial<TPayClientConfig> = {}): PayClient {
    return createPayClient({
      baseUrl: server.baseUrl,
      mchId: MCH_ID,
      key: KEY,
      signType: "MD5",
      appId: APP_ID,
      now: () => NOW,
      ...over,
    });
  }

  beforeAll(async () => {
    server = await startPayServer({ mchId: MCH_ID, key: KEY, signType: "MD5" });
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(() => {
    server.requests.length = 0;
    client = makeClient();
  });

  describe("unifiedorder", () => {
    it("a JSAPI order is signed with MD5 (no sign_type), carries the openid and Beijing time_expire, and returns the prepay_id valid 2 hours", async () => {
      server.route("/pay/unifiedorder", () =>
        success(APP_ID, MCH_ID, { trade_type: "JSAPI", prepay_id: "wx201411101639507cbf6ffd8b0779950874" }),
      );
      const result = await client.unifiedOrder(jsapiOrder());
      expect(result).toMatchObject({
        tradeType: "JSAPI",
        prepayId: "wx201411101639507cbf6ffd8b0779950874",
        appId: APP_ID,
        mchId: MCH_ID,
        outTradeNo: "20260301AbCdEfGhIjKlMnOpQrStUvWx",
      });
      expect(result.prepayIdExpiresAt.toISOString()).toBe("2026-03-01T04:00:00.000Z");
      const sent = server.requests[0]?.fields ?? {};
      expect(sent.sign_type).toBeUndefined();
      expect(sent).toMatchObject({
        appid: APP_ID,
        mch_id: MCH_ID,
        openid: OPENID,
        total_fee: "1",
        trade_type: "JSAPI",
        time_expire: "20260301103000",
        notify_url: "https://shop.example.com/api/wechat/pay/notify",
      });
      expect(sent.sign).toMatch(/^[0-9A-F]{32}$/);
      // total_fee travels as a bare number, strings in CDATA
      expect(server.requests[0]?.raw).toContain("<total_fee>1</total_fee>");
      expect(server.requests[0]?.raw).toContain("<openid><![CDATA[" + OPENID + "]]></openid>");
    });

    it("an MWEB order sends scene_info as WeChat's h5_info JSON and returns the mweb_url valid 5 minutes", async () => {
      const mwebUrl =
        "https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id=wx2016111016383&package=1037687096";
      server.route("/pay/unifiedorder", () =>
        success(APP_ID, MCH_ID, { trade_type: "MWEB", prepay_id: "wx2016111016383", mweb_url: mwebUrl }),
      );
      const result = await client.unifiedOrder({
        ...jsapiOrder(),
        tradeType: "MWEB",
        sceneInfo: { type: "Wap", wapUrl: "https://shop.example.com", wapName: "示例商店" },
      } as TUnifiedOrderInput);
      if (result.tradeType !== "MWEB") throw new Error("expected MWEB");
      expect(result.mwebUrl).toBe(mwebUrl);
      expect(result.mwebUrlExpiresAt.toISOString()).toBe("2026-03-01T02:05:00.000Z");
      const sent = server.requests[0]?.fields ?? {};
      expect(sent.scene_info).toBe(
        '{"h5_info":{"type":"Wap","wap_url":"https://shop.example.com","wap_name":"示例商店"}}',
      );
      expect(sent.openid).toBeUndefined();
      expect(sent.spbill_create_ip).toBe("203.0.113.7");
    });

    it("a NATIVE order sends product_id and returns the code_url", async () => {
      server.route("/pay/unifiedorder", () =>
        success(APP_ID, MCH_ID, {
          trade_type: "NATIVE",
          prepay_id: "wx1",
          code_url: "weixin://wxpay/bizpayurl?pr=abc",
        }),
      );
      const result = await client.unifiedOrder({
        ...jsapiOrder(),
        tradeType: "NATIVE",
        productId: "SKU-1",
      } as TUnifiedOrderInput);
      if (result.tradeType !== "NATIVE") throw new Error("expected NATIVE");
      expect(result.codeUrl).toBe("weixin://wxpay/bizpayurl?pr=abc");
      expect(server.requests[0]?.fields?.product_id).toBe("SKU-1");
    });

    it("the mini-program appid given per call is the one sent and the one the reply must name", async () => {
      server.route("/pay/unifiedorder", () =>
        success(MINI_APP_ID, MCH_ID, { trade_type: "JSAPI", prepay_id: "wx9" }),
      );
      const result = await client.unifiedOrder(jsapiOrder({ appId: MINI_APP_ID }));
      expect(result.appId).toBe(MINI_APP_ID);
      expect(server.requests[0]?.fields?.appid).toBe(MINI_APP_ID);
      // a reply naming another app than the request is not about this order
      server.route("/pay/unifiedorder", () =>
        success(APP_ID, MCH_ID, { trade_type: "JSAPI", prepay_id: "wx9" }),
      );
      const err = await rejection(client.unifiedOrder(jsapiOrder({ appId: MINI_APP_ID })));
      expect(err).toBeInstanceOf(WechatPayTransportError);
      expect((err as WechatPayTransportError).code).toBe("RESPONSE_MISMATCH");
    });

    it("with HMAC-SHA256 the request declares sign_type and the reply must verify under HMAC-SHA256", async () => {
      const hmacServer = await startPayServer({ mchId: MCH_ID, key: KEY, signType: "HMAC-SHA256" });
      try {
        hmacServer.route("/pay/unifiedorder", () =>
          success(APP_ID, MCH_ID, { trade_type: "JSAPI", prepay_id: "wx2" }),
        );
        const hmac = makeClient({ baseUrl: hmacServer.baseUrl, signType: "HMAC-SHA256" });
        const result = await hmac.unifiedOrder(jsapiOrder());
        expect(result.prepayId).toBe("wx2");
        expect(hmacServer.requests[0]?.fields?.sign_type).toBe("HMAC-SHA256");
        expect(hmacServer.requests[0]?.fields?.sign).toMatch(/^[0-9A-F]{64}$/);

        // an MD5-signed reply is refused when HMAC-SHA256 is pinned, even with the right key
        hmacServer.route("/pay/unifiedorder", () => ({
          kind: "signed",
          signType: "MD5",
          fields: envelope(APP_ID, MCH_ID, { result_code: "SUCCESS", trade_type: "JSAPI", prepay_id: "wx2" }),
        }));
        const err = await rejection(hmac.unifiedOrder(jsapiOrder()));
        expect((err as WechatPayTransportError).code).toBe("BAD_RESPONSE_SIGN");
      } finally {
        await hmacServer.close();
      }
    });

    it("prepareUnifiedOrder gives the exact bytes; after a timeout sendUnifiedOrder re-sends them byte-identical", async () => {
      let calls = 0;
      server.route("/pay/unifiedorder", () => {
        calls++;
        return calls === 1
          ? { kind: "hang" }
          : success(APP_ID, MCH_ID, { trade_type: "JSAPI", prepay_id: "wx3" });
      });
      const prepared = client.prepareUnifiedOrder(jsapiOrder());
      expect(prepared.fields.out_trade_no).toBe("20260301AbCdEfGhIjKlMnOpQrStUvWx");

      const started = Date.now();
      const err = await rejection(client.sendUnifiedOrder(prepared.body, { timeoutMs: 200 }));
      expect(Date.now() - started).toBeLessThan(3000);
      expect(await rejection(client.sendUnifiedOrder(prepared.body, { timeoutMs: -1 }))).toMatchObject({
        code: "BAD_INPUT",
      });
      expect(err).toBeInstanceOf(WechatPayTransportError);
      expect(err).toMatchObject({ code: "TIMEOUT", retryable: true, remedy: "RETRY_SAME" });

      const result = await client.sendUnifiedOrder(prepared.body);
      expect(result.prepayId).toBe("wx3");
      expect(server.requests.map((r) => r.raw)).toEqual([prepared.body, prepared.body]);
    });

    it("a stored request keeps its sign type after the configured one changes: its reply is verified the same way", async () => {
      server.route("/pay/unifiedorder", () =>
        success(APP_ID, MCH_ID, { trade_type: "JSAPI", prepay_id: "wx5" }),
      );
      const storedUnderMd5 = client.prepareUnifiedOrder(jsapiOrder()).body;
      const nowHmac = makeClient({ signType: "HMAC-SHA256" });
      expect((await nowHmac.sendUnifiedOrder(storedUnderMd5)).prepayId).toBe("wx5");
      expect(server.requests[0]?.raw).toBe(storedUnderMd5);
      // A body signed with a key that is not ours was not prepared by us.
      const foreign = makeClient({ key: OTHER_KEY }).prepareUnifiedOrder(jsapiOrder()).body;
      expect(await rejection(nowHmac.sendUnifiedOrder(foreign))).toMatchObject({ code: "BAD_INPUT" });
    });

    it("sendUnifiedOrder refuses a body this client did not prepare", async () => {
      server.route("/pay/unifiedorder", () =>
        success(APP_ID, MCH_ID, { trade_type: "JSAPI", prepay_id: "wx3" }),
      );
      for (const body of [
        "<xml><a>1</a></xml>",
        "not xml",
        buildXml({ appid: APP_ID, mch_id: "999", out_trade_no: "abcdef", trade_type: "JSAPI", sign: "X" }),
      ]) {
        const err = await rejection(client.sendUnifiedOrder(body));
        expect(err).toMatchObject({ code: "BAD_INPUT" });
      }
      expect(server.requests).toHaveLength(0);
    });

    it("inputs WeChat would reject are refused before anything is sent", async () => {
      server.route("/pay/unifiedorder", () =>
        success(APP_ID, MCH_ID, { trade_type: "JSAPI", prepay_id: "wx4" }),
      );
      const bad: Array<[string, Partial<TUnifiedOrderInput> & Record<string, unknown>]> = [
        ["totalFeeFen", { totalFeeFen: 0 }],
        ["totalFeeFen", { totalFeeFen: 1.5 }],
        ["totalFeeFen", { totalFeeFen: -100 }],
        ["totalFeeFen", { totalFeeFen: Number.MAX_SAFE_INTEGER + 1 }],
        ["outTradeNo", { outTradeNo: "short" }],
        ["outTradeNo", { outTradeNo: "has space 123" }],
        ["outTradeNo", { outTradeNo: "x".repeat(33) }],
        ["openid", { openid: "" }],
        ["notifyUrl", { notifyUrl: "https://shop.example.com/notify?order=1" }],
        ["notifyUrl", { notifyUrl: "/relative/notify" }],
        ["spbillCreateIp", { spbillCreateIp: "not-an-ip" }],
        ["timeExpire", { timeExpire: new Date(NOW.getTime() + 4 * 60 * 1000) }],
        ["timeExpire", { timeExpire: new Date(NOW.getTime() + 8 * 24 * 3600 * 1000) }],
        ["attach", { attach: "paid 😀" }],
        ["body", { body: "😀😀" }],
        ["tradeType", { tradeType: "APP" as "JSAPI" }],
      ];
      for (const [field, over] of bad) {
        const err = await rejection(client.unifiedOrder(jsapiOrder(over)));
        expect(err, field).toBeInstanceOf(WechatPayError);
        expect((err as WechatPayError).code, field).toBe("BAD_INPUT");
        expect((err as WechatPayError).details?.field, JSON.stringify(over)).toBe(field);
      }
      const mweb = await rejection(
        client.unifiedOrder({
          ...jsapiOrder(),
          tradeType: "MWEB",
          sceneInfo: { type: "Wap", wapUrl: "nope", wapName: "x" },
        } as TUnifiedOrderInput),
      );
      expect(mweb).toMatchObject({ code: "BAD_INPUT" });
      const native = await rejection(
        client.unifiedOrder({ ...jsapiOrder(), tradeType: "NATIVE" } as TUnifiedOrderInput),
      );
      expect(native).toMatchObject({ code: "BAD_INPUT" });
      expect(server.requests).toHaveLength(0);
    });

    it("body is fitted to 127 UTF-8 bytes with 4-byte characters removed", async () => {
      server.route("/pay/unifiedorder", () =>
        success(APP_ID, MCH_ID, { trade_type: "JSAPI", prepay_id: "wx5" }),
      );
      await client.unifiedOrder(jsapiOrder({ body: "好".repeat(60) + "😀" }));
      const body = server.requests[0]?.fields?.body ?? "";
      expect(Buffer.byteLength(body, "utf8")).toBeLessThanOrEqual(127);
      expect(body).toBe("好".repeat(42));
    });

    const documented: Array<[string, string, boolean]> = [
      ["SYSTEMERROR", "RETRY_SAME", true],
      ["ORDERPAID", "TREAT_AS_PAID", false],
      ["ORDERCLOSED", "NEW_OUT_TRADE_NO", false],
      ["OUT_TRADE_NO_USED", "NEW_OUT_TRADE_NO", false],
      ["INVALID_REQUEST", "NEW_OUT_TRADE_NO", false],
      ["PARAM_ERROR", "FIX_REQUEST", false],
      ["LACK_PARAMS", "FIX_REQUEST", false],
      ["NOAUTH", "FIX_CONFIG", false],
      ["APPID_MCHID_NOT_MATCH", "FIX_CONFIG", false],
      ["NOTENOUGH", "USER_ACTION", false],
      ["SOMETHING_NEW", "UNKNOWN", false],
    ];
    it.each(documented)(
      "result_code=FAIL err_code=%s → WechatPayApiError with remedy %s",
      async (errCode, remedy, retryable) => {
        server.route("/pay/unifiedorder", () => businessFail(APP_ID, MCH_ID, errCode, `${errCode} 描述`));
        const err = await rejection(client.unifiedOrder(jsapiOrder()));
        expect(err).toBeInstanceOf(WechatPayApiError);
        expect(err).toMatchObject({
          code: errCode,
          errCode,
          errCodeDes: `${errCode} 描述`,
          remedy,
          retryable,
          api: "unifiedorder",
        });
        expect((err as WechatPayApiError).hint.length).toBeGreaterThan(0);
      },
    );

    it("return_code=FAIL is a communication-level error carrying return_msg and no err_code", async () => {
      server.route("/pay/unifiedorder", () => returnFail("JSAPI支付必须传openid"));
      const err = await rejection(client.unifiedOrder(jsapiOrder()));
      expect(err).toBeInstanceOf(WechatPayApiError);
      expect(err).toMatchObject({
        code: "RETURN_FAIL",
        returnMsg: "JSAPI支付必须传openid",
        remedy: "FIX_REQUEST",
        retryable: false,
      });
      expect((err as WechatPayApiError).errCode).toBeUndefined();
    });

    it("a client with the wrong key gets WeChat's 签名错误 and is told to fix its configuration", async () => {
      server.route("/pay/unifiedorder", () =>
        success(APP_ID, MCH_ID, { trade_type: "JSAPI", prepay_id: "wx6" }),
      );
      const wrong = makeClient({ key: OTHER_KEY });
      const err = await rejection(wrong.unifiedOrder(jsapiOrder()));
      expect(err).toMatchObject({ code: "RETURN_FAIL", returnMsg: "签名错误", remedy: "FIX_CONFIG" });
    });

    it("a reply whose signature does not verify is never trusted, not even its result_code=FAIL", async () => {
      const forged = [
        {
          kind: "signed" as const,
          forgeSign: true,
          fields: envelope(APP_ID, MCH_ID, { result_code: "SUCCESS", trade_type: "JSAPI", prepay_id: "wx7" }),
        },
        {
          kind: "signed" as const,
          key: OTHER_KEY,
          fields: envelope(APP_ID, MCH_ID, { result_code: "SUCCESS", trade_type: "JSAPI", prepay_id: "wx7" }),
        },
        {
          kind: "signed" as const,
          key: OTHER_KEY,
          fields: envelope(APP_ID, MCH_ID, { result_code: "FAIL", err_code: "ORDERPAID", err_code_des: "x" }),
        },
        {
          kind: "raw" as const,
          body: buildXml(
            envelope(APP_ID, MCH_ID, { result_code: "SUCCESS", trade_type: "JSAPI", prepay_id: "wx7" }),
          ),
        },
      ];
      for (const reply of forged) {
        server.route("/pay/unifiedorder", () => reply);
        const err = await rejection(client.unifiedOrder(jsapiOrder()));
        expect(err).toBeInstanceOf(WechatPayTransportError);
        expect(err).toMatchObject({ code: "BAD_RESPONSE_SIGN", retryable: false });
      }
    });

    it("a one-character change to any signed reply field fails verification", async () => {
      const fields = envelope(APP_ID, MCH_ID, {
        result_code: "SUCCESS",
        trade_type: "JSAPI",
        prepay_id: "wx8",
      });
      const signed: Record<string, string | number> = { ...fields, sign: sign(fields, KEY, "MD5") };
      for (const name of Object.keys(fields)) {
        const tampered = { ...signed, [name]: String(signed[name]) + "0" };
        server.route("/pay/unifiedorder", () => ({ kind: "raw", body: buildXml(tampered) }));
        const err = await rejection(client.unifiedOrder(jsapiOrder()));
        // return_code is read first: "SUCCESS0" is neither SUCCESS nor FAIL, so nothing else is looked at
        expect((err as WechatPayTransportError).code, name).toBe(
          name === "return_code" ? "BAD_RESPONSE" : "BAD_RESPONSE_SIGN",
        );
      }
    });

    it("during a key rotation a reply signed with the previous key still verifies", async () => {
      server.route("/pay/unifiedorder", () => ({
        kind: "signed",
        key: OLD_KEY,
        fields: envelope(APP_ID, MCH_ID, { result_code: "SUCCESS", trade_type: "JSAPI", prepay_id: "wx10" }),
      }));
      const rotated = makeClient({ previousKeys: [OLD_KEY] });
      expect((await rotated.unifiedOrder(jsapiOrder())).prepayId).toBe("wx10");
      const err = await rejection(client.unifiedOrder(jsapiOrder()));
      expect((err as WechatPayTransportError).code).toBe("BAD_RESPONSE_SIGN");
    });

    it("a correctly signed reply for another merchant is refused", async () => {
      server.route("/pay/unifiedorder", () =>
        success(APP_ID, "1900000109", { trade_type: "JSAPI", prepay_id: "wx11" }),
      );
      const err = await rejection(client.unifiedOrder(jsapiOrder()));
      expect(err).toMatchObject({ code: "RESPONSE_MISMATCH" });
    });

    it("a success reply without prepay_id, or with another trade_type, is a bad response", async () => {
      server.route("/pay/unifiedorder", () => success(APP_ID, MCH_ID, { trade_type: "JSAPI" }));
      expect(await rejection(client.unifiedOrder(jsapiOrder()))).toMatchObject({ code: "BAD_RESPONSE" });
      server.route("/pay/unifiedorder", () =>
        success(APP_ID, MCH_ID, { trade_type: "NATIVE", prepay_id: "wx" }),
      );
      expect(await rejection(client.unifiedOrder(jsapiOrder()))).toMatchObject({ code: "BAD_RESPONSE" });
    });

    it("garbage, hostile XML, HTTP errors and oversized replies are typed transport errors", async () => {
      const cases: Array<[() => ReturnType<Parameters<TPayServer["route"]>[1]>, string]> = [
        [
          () => ({ kind: "raw", body: "<html>502 Bad Gateway</html>", contentType: "text/html" }),
          "BAD_RESPONSE",
        ],
        [
          () => ({
            kind: "raw",
            body: '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]><xml><return_code>&x;</return_code></xml>',
          }),
          "BAD_RESPONSE",
        ],
        [() => ({ kind: "raw", body: "<xml><return_code>MAYBE</return_code></xml>" }), "BAD_RESPONSE"],
        [
          () => ({ kind: "raw", body: new Uint8Array([0x3c, 0x78, 0x6d, 0x6c, 0x3e, 0xff, 0xfe]) }),
          "BAD_RESPONSE",
        ],
        [() => ({ kind: "raw", body: "upstream error", status: 502 }), "HTTP_STATUS"],
        [
          () => ({ kind: "raw", body: "<xml>" + "<a>1</a>".repeat(100_000) + "</xml>" }),
          "RESPONSE_TOO_LARGE",
        ],
      ];
      for (const [reply, code] of cases) {
        server.route("/pay/unifiedorder", reply);
        const err = await rejection(client.unifiedOrder(jsapiOrder()));
        expect(err, code).toBeInstanceOf(WechatPayTransportError);
        expect((err as WechatPayTransportError).code).toBe(code);
      }
    });

    it("an unreachable endpoint is a retryable NETWORK error", async () => {
      const gone = await startPayServer({ mchId: MCH_ID, key: KEY, signType: "MD5" });
      await gone.close();
      const err = await rejection(makeClient({ baseUrl: gone.baseUrl }).unifiedOrder(jsapiOrder()));
      expect(err).toMatchObject({ code: "NETWORK", retryable: true, remedy: "RETRY_SAME" });
    });

    it("the base URL may carry a path and a trailing slash, and the injected fetch is the one used", async () => {
      server.route("/sandboxnew/pay/unifiedorder", () =>
        success(APP_ID, MCH_ID, { trade_type: "JSAPI", prepay_id: "wx12" }),
      );
      const seen: string[] = [];
      const prefixed = makeClient({
        baseUrl: server.baseUrl + "/sandboxnew/",
        fetch: (input, init) => {
          seen.push(String(input));
          return fetch(input, init);
        },
      });
      expect((await prefixed.unifiedOrder(jsapiOrder())).prepayId).toBe("wx12");
      expect(seen).toEqual([server.baseUrl + "/sandboxnew/pay/unifiedorder"]);
      expect(server.requests[0]?.path).toBe("/sandboxnew/pay/unifiedorder");
    });
  });

  describe("orderquery", () => {
    function paid(over: Record<string, string | number> = {}) {
      return success(APP_ID, MCH_ID, {
        openid: OPENID,
        trade_type: "JSAPI",
        trade_state: "SUCCESS",
        bank_type: "CMC",
        total_fee: 101,
        cash_fee: 101,
        fee_type: "CNY",
        transaction_id: TX_ID,
        out_trade_no: "20260301AbCdEfGhIjKlMnOpQrStUvWx",
        attach: "",
        time_end: "20260301101530",
        trade_state_desc: "支付成功",
        ...over,
      });
    }

    it("a paid order comes back typed: exact transaction_id, integer fen, paidAt from Beijing time_end", async () => {
      server.route("/pay/orderquery", () => paid());
      const q = await client.orderQuery({ outTradeNo: "20260301AbCdEfGhIjKlMnOpQrStUvWx" });
      if (q.tradeState !== "SUCCESS") throw new Error("expected SUCCESS");
      expect(q.transactionId).toBe(TX_ID);
      expect(q.totalFeeFen).toBe(101);
      expect(q.cashFeeFen).toBe(101);
      expect(q.feeType).toBe("CNY");
      expect(q.timeEnd).toBe("20260301101530");
      expect(q.paidAt.toISOString()).toBe("2026-03-01T02:15:30.000Z");
      expect(q.attach).toBeUndefined();
      const sent = server.requests[0]?.fields ?? {};
      expect(sent.out_trade_no).toBe("20260301AbCdEfGhIjKlMnOpQrStUvWx");
      expect(sent.transaction_id).toBeUndefined();
    });

    it("a query by transaction_id sends only transaction_id", async () => {
      server.route("/pay/orderquery", () => paid());
      await client.orderQuery({ transactionId: TX_ID });
      const sent = server.requests[0]?.fields ?? {};
      expect(sent.transaction_id).toBe(TX_ID);
      expect(sent.out_trade_no).toBeUndefined();
      expect(await rejection(client.orderQuery({} as never))).toMatchObject({ code: "BAD_INPUT" });
    });

    it.each(["NOTPAY", "CLOSED", "REVOKED", "USERPAYING", "PAYERROR", "REFUND"])(
      "trade_state %s is reported as such",
      async (state) => {
        server.route("/pay/orderquery", () =>
          success(APP_ID, MCH_ID, {
            trade_state: state,
            out_trade_no: "20260301AbCdEfGhIjKlMnOpQrStUvWx",
            trade_state_desc: "订单未支付",
            total_fee: 101,
          }),
        );
        const q = await client.orderQuery({ outTradeNo: "20260301AbCdEfGhIjKlMnOpQrStUvWx" });
        expect(q.tradeState).toBe(state);
        expect(q.totalFeeFen).toBe(101);
        expect(q.tradeStateDesc).toBe("订单未支付");
      },
    );

    it("ORDERNOTEXIST is a typed NOT_FOUND error", async () => {
      server.route("/pay/orderquery", () => businessFail(APP_ID, MCH_ID, "ORDERNOTEXIST", "order not exist"));
      const err = await rejection(client.orderQuery({ outTradeNo: "20260301AbCdEfGhIjKlMnOpQrStUvWx" }));
      expect(err).toBeInstanceOf(WechatPayApiError);
      expect(err).toMatchObject({ errCode: "ORDERNOTEXIST", remedy: "NOT_FOUND", api: "orderquery" });
    });

    it("a SUCCESS without proof, an unknown state, a coerced amount or another order's reply is a bad response", async () => {
      const replies = [
        paid({ transaction_id: "" }),
        paid({ time_end: "2026-03-01 10:15:30" }),
        paid({ trade_state: "MAYBE_PAID" }),
        paid({ total_fee: "1.01" }),
        paid({ total_fee: "0101" }),
        paid({ out_trade_no: "20260301SomeoneElsesOrderNumber00" }),
      ];
      for (const reply of replies) {
        server.route("/pay/orderquery", () => reply);
        const err = await rejection(client.orderQuery({ outTradeNo: "20260301AbCdEfGhIjKlMnOpQrStUvWx" }));
        expect(err).toMatchObject({ code: "BAD_RESPONSE" });
      }
    });

    it("the appid and mch_id it reports are the ones WeChat signed, and a reply without them is no proof", async () => {
      server.route("/pay/orderquery", () => paid());
      const q = await client.orderQuery({ outTradeNo: "20260301AbCdEfGhIjKlMnOpQrStUvWx" });
      expect(q).toMatchObject({ appId: APP_ID, mchId: MCH_ID });
      const without = (name: string): TReply => {
        const r = paid();
        if (r.kind !== "signed") throw new Error("expected a signed reply");
        return { ...r, fields: Object.fromEntries(Object.entries(r.fields).filter(([k]) => k !== name)) };
      };
      for (const reply of [without("appid"), without("mch_id")]) {
        server.route("/pay/orderquery", () => reply);
        const err = await rejection(client.orderQuery({ outTradeNo: "20260301AbCdEfGhIjKlMnOpQrStUvWx" }));
        expect(err).toMatchObject({ code: "BAD_RESPONSE" });
      }
    });

    it("without an appid in the call or the config the query is refused", async () => {
      const noApp = createPayClient({ baseUrl: server.baseUrl, mchId: MCH_ID, key: KEY, signType: "MD5" });
      expect(
        await rejection(noApp.orderQuery({ outTradeNo: "20260301AbCdEfGhIjKlMnOpQrStUvWx" })),
      ).toMatchObject({ code: "BAD_INPUT" });
    });
  });

  describe("closeorder", () => {
    it("closes, treats ORDERCLOSED as already closed, and reports ORDERPAID as paid", async () => {
      server.route("/pay/closeorder", () => success(APP_ID, MCH_ID, { result_msg: "OK" }));
      expect(await client.closeOrder({ outTradeNo: "20260301AbCdEfGhIjKlMnOpQrStUvWx" })).toEqual({
        outTradeNo: "20260301AbCdEfGhIjKlMnOpQrStUvWx",
        alreadyClosed: false,
      });
      expect(server.requests[0]?.fields?.out_trade_no).toBe("20260301AbCdEfGhIjKlMnOpQrStUvWx");

      server.route("/pay/closeorder", () => businessFail(APP_ID, MCH_ID, "ORDERCLOSED", "订单已关闭"));
      expect(
        (await client.closeOrder({ outTradeNo: "20260301AbCdEfGhIjKlMnOpQrStUvWx" })).alreadyClosed,
      ).toBe(true);

      server.route("/pay/closeorder", () => businessFail(APP_ID, MCH_ID, "ORDERPAID", "订单已支付"));
      const err = await rejection(client.closeOrder({ outTradeNo: "20260301AbCdEfGhIjKlMnOpQrStUvWx" }));
      expect(err).toMatchObject({ errCode: "ORDERPAID", remedy: "TREAT_AS_PAID" });

      server.route("/pay/closeorder", () => businessFail(APP_ID, MCH_ID, "SYSTEMERROR", "系统错误"));
      expect(
        await rejection(client.closeOrder({ outTradeNo: "20260301AbCdEfGhIjKlMnOpQrStUvWx" })),
      ).toMatchObject({
        remedy: "RETRY_SAME",
        retryable: true,
      });
    });

    it("a forged ORDERCLOSED does not count as closed", async () => {
      server.route("/pay/closeorder", () => ({
        kind: "signed",
        key: OTHER_KEY,
        fields: envelope(APP_ID, MCH_ID, { result_code: "FAIL", err_code: "ORDERCLOSED", err_code_des: "x" }),
      }));
      expect(
        await rejection(client.closeOrder({ outTradeNo: "20260301AbCdEfGhIjKlMnOpQrStUvWx" })),
      ).toMatchObject({ code: "BAD_RESPONSE_SIGN" });
    });
  });

  describe("refundquery", () => {
    it("indexed refunds come back as a typed list with fen and Beijing success times", async () => {
      server.route("/pay/refundquery", () =>
        success(APP_ID, MCH_ID, {
          transaction_id: TX_ID,
          out_trade_no: "20260301AbCdEfGhIjKlMnOpQrStUvWx",
          total_fee: 3960,
          cash_fee: 3960,
          refund_count: 2,
          out_refund_no_0: "R1",
          refund_id_0: "50000408942018111907145868882",
          refund_fee_0: 1000,
          refund_status_0: "SUCCESS",
          refund_channel_0: "ORIGINAL",
          refund_recv_accout_0: "支付用户零钱",
          refund_success_time_0: "2018-11-19 16:24:13",
          out_refund_no_1: "R2",
          refund_id_1: "50000408942018111907145868883",
          refund_fee_1: 2960,
          refund_status_1: "PROCESSING",
        }),
      );
      const q = await client.refundQuery({ outTradeNo: "20260301AbCdEfGhIjKlMnOpQrStUvWx" });
      expect(q.totalFeeFen).toBe(3960);
      expect(q.refunds).toHaveLength(2);
      expect(q.refunds[0]).toMatchObject({
        outRefundNo: "R1",
        refundId: "50000408942018111907145868882",
        refundFeeFen: 1000,
        refundStatus: "SUCCESS",
        refundRecvAccount: "支付用户零钱",
        refundSuccessTime: "2018-11-19 16:24:13",
      });
      expect(q.refunds[0]?.refundSuccessAt?.toISOString()).toBe("2018-11-19T08:24:13.000Z");
      expect(q.refunds[1]).toMatchObject({ outRefundNo: "R2", refundStatus: "PROCESSING" });
    });

    it("REFUNDNOTEXIST is a typed NOT_FOUND error; a refund lookup needs exactly one key", async () => {
      server.route("/pay/refundquery", () => businessFail(APP_ID, MCH_ID, "REFUNDNOTEXIST", "not exist"));
      expect(await rejection(client.refundQuery({ outRefundNo: "R404" }))).toMatchObject({
        errCode: "REFUNDNOTEXIST",
        remedy: "NOT_FOUND",
      });
      expect(server.requests[0]?.fields?.out_refund_no).toBe("R404");
      expect(
        await rejection(client.refundQuery({ outRefundNo: "R1", refundId: "5" } as never)),
      ).toMatchObject({ code: "BAD_INPUT" });
    });
  });

  describe("downloadbill", () => {
    const BILL =
      "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注\r\n" +
      "`2026-02-28 15:35:18,`wxd930ea5d5a258f4f,`1230000109,`0,`,`4200000910202602282955148400,`20260228AbCdEfGhIjKlMnOpQrStUvWx,`ofyak5qR_1wYsC99CsWA6R9MJazA,`JSAPI,`SUCCESS,`OTHERS,`CNY,`19.99,`0.00,`0,`0,`0.00,`0.00,`,`,`示例商品,`,`0.12000,`0.60%,`19.99,`0.00,`\r\n" +
      "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额\r\n" +
      "`1,`19.99,`0.00,`0.00,`0.12000,`19.99,`0.00\r\n";

    it("the bill text is parsed into typed rows with fen amounts", async () => {
      server.route("/pay/downloadbill", () => ({ kind: "raw", body: BILL, contentType: "text/plain" }));
      const bill = await client.downloadBill({ billDate: "20260228" });
      expect(bill.rows).toHaveLength(1);
      expect(bill.rows[0]).toMatchObject({
        outTradeNo: "20260228AbCdEfGhIjKlMnOpQrStUvWx",
        settlementTotalFeeFen: 1999,
        totalFeeFen: 1999,
      });
      expect(bill.summary.tradeCount).toBe(1);
      expect(bill.text).toBe(BILL);
      expect(server.requests[0]?.fields).toMatchObject({ bill_date: "20260228", bill_type: "ALL" });
    });

    it("a gzip bill is decompressed", async () => {
      const { gzipSync } = await import("node:zlib");
      server.route("/pay/downloadbill", () => ({
        kind: "raw",
        body: gzipSync(Buffer.from(BILL)),
        contentType: "application/octet-stream",
      }));
      const bill = await client.downloadBill({ billDate: "20260228", gzip: true, billType: "SUCCESS" });
      expect(bill.rows[0]?.totalFeeFen).toBe(1999);
      expect(server.requests[0]?.fields).toMatchObject({ tar_type: "GZIP", bill_type: "SUCCESS" });
    });

    it("an XML error reply becomes a typed error with WeChat's remedy", async () => {
      server.route("/pay/downloadbill", () => returnFail("No Bill Exist"));
      expect(await rejection(client.downloadBill({ billDate: "20260228" }))).toMatchObject({
        code: "RETURN_FAIL",
        returnMsg: "No Bill Exist",
        remedy: "NOT_FOUND",
      });
      server.route("/pay/downloadbill", () => returnFail("Bill Creating"));
      expect(await rejection(client.downloadBill({ billDate: "20260228" }))).toMatchObject({
        remedy: "RETRY_LATER",
        retryable: true,
      });
      expect(await rejection(client.downloadBill({ billDate: "2026-02-28" }))).toMatchObject({
        code: "BAD_INPUT",
      });
    });

    it("a truncated bill is refused", async () => {
      const truncated = BILL.replace("`1,`19.99", "`2,`19.99");
      server.route("/pay/downloadbill", () => ({ kind: "raw", body: truncated, contentType: "text/plain" }));
      expect(await rejection(client.downloadBill({ billDate: "20260228" }))).toMatchObject({
        code: "BAD_BILL",
      });
    });
  });

  describe("configuration", () => {
    it("bad configuration is refused at creation", () => {
      const base = {
        baseUrl: "https://api.mch.weixin.qq.com",
        mchId: MCH_ID,
        key: KEY,
        signType: "MD5" as SignType,
      };
      for (const over of [
        { baseUrl: "ftp://x" },
        { baseUrl: "nope" },
        { mchId: "" },
        { key: "short" },
        { signType: "SHA1" as SignType },
        { previousKeys: ["x"] },
        { timeoutMs: 0 },
      ]) {
        expect(() => createPayClient({ ...base, ...over }), JSON.stringify(over)).toThrow(WechatPayError);
      }
      expect(() => createPayClient(base)).not.toThrow();
    });

    it("nonces differ between two preparations of the same order, so each prepared body is its own", () => {
      const a = client.prepareUnifiedOrder(jsapiOrder());
      const b = client.prepareUnifiedOrder(jsapiOrder());
      expect(a.fields.nonce_str).not.toBe(b.fields.nonce_str);
      expect(a.fields.nonce_str).toMatch(/^[A-Za-z0-9]{32}$/);
      expect(nonceStr()).toHaveLength(32);
    });
  });
});
