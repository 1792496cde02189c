// The pay API over HTTP: WeChat's validation order, communication-level vs business-level errors, signed
// answers, re-entry, expiry and the closeorder rule. Driven by the @wxpay/wechatpay client where it can send
// the request, and by raw signed XML where the client (rightly) refuses to.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { parseXml, verifySign, WechatPayApiError, WechatPayError } from "@wxpay/wechatpay";

import type { Simulator } from "../src/server";
import {
  jsapiOrderFields,
  openidOf,
  outTradeNo,
  payClient,
  rawPay,
  rawPost,
  SANDBOX,
  signedXml,
  startTestSim,
} from "./helpers";

let sim: Simulator;
beforeAll(async () => {
  sim = await startTestSim({ timeScale: 0 });
});
afterAll(() => sim.close());
beforeEach(() => sim.state.reset());

const MIN = 60 * 1000;

describe("communication-level errors (return_code=FAIL, unsigned)", () => {
  const expectReturnFail = (r: Record<string, string>, msg: string) => {
    expect(r).toEqual({ return_code: "FAIL", return_msg: msg });
  };

  it("GET answers 请使用post方法 (REQUIRE_POST_METHOD)", async () => {
    const res = await fetch(`${sim.url}/pay/unifiedorder`);
    expect(res.status).toBe(200);
    expectReturnFail({ ...parseXml(await res.text()) }, "请使用post方法");
  });

  it("an empty body answers post数据为空 (POST_DATA_EMPTY)", async () => {
    expectReturnFail(await rawPost(sim, "/pay/orderquery", ""), "post数据为空");
  });

  it("non-UTF-8 bytes answer 编码格式错误 (NOT_UTF8)", async () => {
    const gbk = Buffer.concat([
      Buffer.from("<xml><body>"),
      Buffer.from([0xb2, 0xe2, 0xca, 0xd4]),
      Buffer.from("</body></xml>"),
    ]);
    expectReturnFail(await rawPost(sim, "/pay/unifiedorder", gbk), "编码格式错误");
  });

  it.each([
    ["not XML", "hello"],
    ["a root other than <xml>", "<root><a>1</a></root>"],
    [
      "a DOCTYPE (XXE)",
      '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]><xml><a>&x;</a></xml>',
    ],
    ["nested elements", "<xml><a><b>1</b></a></xml>"],
    ["truncated XML", "<xml><appid>wx"],
  ])("%s answers XML格式错误 (XML_FORMAT_ERROR)", async (_name, body) => {
    expectReturnFail(await rawPost(sim, "/pay/unifiedorder", body), "XML格式错误");
  });

  it("a missing required field answers 缺少参数<field> (LACK_PARAMS)", async () => {
    const fields = jsapiOrderFields(outTradeNo());
    delete fields.notify_url;
    expectReturnFail(await rawPay(sim, "/pay/unifiedorder", fields), "缺少参数notify_url");
    expectReturnFail(
      await rawPost(sim, "/pay/orderquery", "<xml><appid>wx1</appid></xml>"),
      "缺少参数mch_id",
    );
  });

  it("a body over 127 UTF-8 bytes answers body参数长度有误", async () => {
    const r = await rawPay(
      sim,
      "/pay/unifiedorder",
      jsapiOrderFields(outTradeNo(), { body: "测".repeat(43) }),
    );
    expectReturnFail(r, "body参数长度有误");
  });

  it("malformed identity fields answer mch_id参数格式错误 / sign_type参数格式错误", async () => {
    expectReturnFail(
      await rawPay(sim, "/pay/orderquery", { mch_id: "12a", out_trade_no: "abcdef" }),
      "mch_id参数格式错误",
    );
    expectReturnFail(
      await rawPay(sim, "/pay/orderquery", { sign_type: "SHA1", out_trade_no: "abcdef" }),
      "sign_type参数格式错误",
    );
  });

  it("an unknown merchant, an unknown appid and an unbound appid are refused before the signature", async () => {
    expectReturnFail(
      await rawPay(sim, "/pay/orderquery", { mch_id: "1999999999", out_trade_no: "abcdef" }),
      "mch_id不存在",
    );
    expectReturnFail(
      await rawPay(sim, "/pay/orderquery", { appid: "wx0000000000000000", out_trade_no: "abcdef" }),
      "appid不存在",
    );
    await fetch(`${sim.url}/__sim/apps`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ appId: "wxaaaaaaaaaaaaaaaa", secret: "s", kind: "official" }),
    });
    expectReturnFail(
      await rawPay(sim, "/pay/orderquery", { appid: "wxaaaaaaaaaaaaaaaa", out_trade_no: "abcdef" }),
      "appid和mch_id不匹配",
    );
  });

  it("a wrong key, a tampered field or the wrong algorithm answers 签名错误 with no result_code (SIGNERROR)", async () => {
    const wrongKey = "0".repeat(32);
    expectReturnFail(
      await rawPay(sim, "/pay/orderquery", { out_trade_no: "abcdef" }, { key: wrongKey }),
      "签名错误",
    );
    const tampered = signedXml({ out_trade_no: "abcdef" }).replace("abcdef", "abcdeg");
    expectReturnFail(await rawPost(sim, "/pay/orderquery", tampered), "签名错误");
    // HMAC-SHA256 signature sent while sign_type says MD5 (the default when absent).
    const hmacSignedAsMd5 = signedXml({ out_trade_no: "abcdef" }, { signType: "HMAC-SHA256" }).replace(
      /<sign_type><!\[CDATA\[HMAC-SHA256\]\]><\/sign_type>/,
      "",
    );
    expectReturnFail(await rawPost(sim, "/pay/orderquery", hmacSignedAsMd5), "签名错误");
  });

  it("the client reports a signature failure as a typed, non-retryable error", async () => {
    const client = payClient(sim, { key: "1".repeat(32) });
    const err = await client.orderQuery({ outTradeNo: "abcdef" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WechatPayApiError);
    expect((err as WechatPayApiError).returnMsg).toBe("签名错误");
    expect((err as WechatPayApiError).retryable).toBe(false);
  });
});

describe("unifiedorder", () => {
  it("creates a JSAPI order and answers a signed response with a 2-hour prepay_id", async () => {
    const no = outTradeNo();
    const r = await rawPay(sim, "/pay/unifiedorder", jsapiOrderFields(no));
    expect(r.return_code).toBe("SUCCESS");
    expect(r.result_code).toBe("SUCCESS");
    expect(r.trade_type).toBe("JSAPI");
    expect(r.prepay_id).toMatch(/^wx\d{14}[0-9a-f]{20}$/);
    expect(verifySign(r, [SANDBOX.key], "MD5")).toBe(true);
    const order = sim.state.orders.get(`${SANDBOX.mchId}/${no}`);
    expect(order?.tradeState).toBe("NOTPAY");
    expect(sim.state.prepays.get(r.prepay_id ?? "")?.expiresAt).toBe(sim.clock.now() + 2 * 60 * MIN);
  });

  it("signs its answer with HMAC-SHA256 when the request did, and the client verifies it", async () => {
    const client = payClient(sim, { signType: "HMAC-SHA256" });
    const res = await client.unifiedOrder({
      tradeType: "JSAPI",
      outTradeNo: outTradeNo(),
      body: "测试",
      totalFeeFen: 2,
      notifyUrl: "http://127.0.0.1:9/notify",
      spbillCreateIp: "127.0.0.1",
      openid: openidOf("bob"),
    });
    expect(res.tradeType).toBe("JSAPI");
    expect(res.fields.sign).toHaveLength(64);
  });

  it("gives MWEB a 5-minute mweb_url and NATIVE a code_url", async () => {
    const client = payClient(sim);
    const mweb = await client.unifiedOrder({
      tradeType: "MWEB",
      outTradeNo: outTradeNo(),
      body: "H5-测试",
      totalFeeFen: 100,
      notifyUrl: "http://127.0.0.1:9/notify",
      spbillCreateIp: "203.0.113.7",
      sceneInfo: { type: "Wap", wapUrl: "http://localhost:3000", wapName: "测试" },
    });
    if (mweb.tradeType !== "MWEB") throw new Error("expected MWEB");
    expect(mweb.mwebUrl).toMatch(new RegExp(`^${sim.url}/pay/h5cashier\\?prepay_id=wx\\w+&package=\\d{10}$`));
    const prepay = sim.state.prepays.get(mweb.prepayId);
    expect(prepay?.mwebExpiresAt).toBe(sim.clock.now() + 5 * MIN);
    const native = await client.unifiedOrder({
      tradeType: "NATIVE",
      outTradeNo: outTradeNo(),
      body: "扫码",
      totalFeeFen: 1,
      notifyUrl: "http://127.0.0.1:9/notify",
      spbillCreateIp: "127.0.0.1",
      productId: "sku-1",
    });
    if (native.tradeType !== "NATIVE") throw new Error("expected NATIVE");
    expect(native.codeUrl).toMatch(/^weixin:\/\/wxpay\/bizpayurl\?pr=/);
  });

  it.each<[string, Record<string, string | number>, string]>([
    ["an unknown trade_type", { trade_type: "MICROPAY" }, "trade_type参数错误"],
    ["total_fee 0", { total_fee: 0 }, "invalid total_fee"],
    ["a decimal total_fee", { total_fee: "1.5" }, "invalid total_fee"],
    ["a negative total_fee", { total_fee: "-1" }, "invalid total_fee"],
    ["an out_trade_no of 5 characters", { out_trade_no: "abcde" }, "商户订单号out_trade_no格式错误"],
    ["an out_trade_no with a dot", { out_trade_no: "abc.def" }, "商户订单号out_trade_no格式错误"],
    ["fee_type USD", { fee_type: "USD" }, "境内商户号仅支持人民币fee_type=CNY"],
    ["an emoji in body", { body: "好物🎁" }, "body不能包含4字节UTF-8字符"],
    [
      "a spbill_create_ip that is not an IP",
      { spbill_create_ip: "localhost" },
      "spbill_create_ip参数格式错误",
    ],
    [
      "a notify_url with a query",
      { notify_url: "http://127.0.0.1:9/notify?x=1" },
      "notify_url参数格式错误，必须为直接可访问的url，不能携带参数",
    ],
    [
      "a relative notify_url",
      { notify_url: "/notify" },
      "notify_url参数格式错误，必须为直接可访问的url，不能携带参数",
    ],
    ["limit_pay other than no_credit", { limit_pay: "no_debit" }, "limit_pay参数错误"],
    ["a time_expire that is not yyyyMMddHHmmss", { time_expire: "2024-01-01" }, "time_expire参数格式错误"],
    ["JSAPI without openid", { openid: "" }, "JSAPI支付必须传openid"],
    ["an openid of another appid", { openid: openidOf("alice", SANDBOX.miniAppId) }, "appid和openid不匹配"],
    ["an unknown openid", { openid: "oUnknownUnknownUnknownUnknown" }, "appid和openid不匹配"],
    ["NATIVE without product_id", { trade_type: "NATIVE", openid: "" }, "NATIVE支付必须传product_id"],
    [
      "MWEB without scene_info",
      { trade_type: "MWEB", openid: "" },
      "H5支付必须传scene_info，且scene_info.h5_info格式正确",
    ],
    [
      "MWEB with scene_info that is not JSON",
      { trade_type: "MWEB", openid: "", scene_info: "{h5_info" },
      "H5支付必须传scene_info，且scene_info.h5_info格式正确",
    ],
  ])("%s answers result_code=FAIL PARAM_ERROR, signed", async (_name, over, des) => {
    const fields = jsapiOrderFields(outTradeNo(), over);
    for (const k of Object.keys(fields)) if (fields[k] === "") delete fields[k];
    const r = await rawPay(sim, "/pay/unifiedorder", fields);
    expect(r.return_code).toBe("SUCCESS");
    expect(r.result_code).toBe("FAIL");
    expect(r.err_code).toBe("PARAM_ERROR");
    expect(r.err_code_des).toBe(des);
    expect(verifySign(r, [SANDBOX.key], "MD5")).toBe(true);
  });

  it("JSAPI with the mini-program appid needs the mini-program openid of the same user", async () => {
    const base = { appid: SANDBOX.miniAppId };
    const bad = await rawPay(sim, "/pay/unifiedorder", {
      ...base,
      ...jsapiOrderFields(outTradeNo(), { openid: openidOf("alice") }),
    });
    expect(bad.err_code_des).toBe("appid和openid不匹配");
    const ok = await rawPay(sim, "/pay/unifiedorder", {
      ...base,
      ...jsapiOrderFields(outTradeNo(), { openid: openidOf("alice", SANDBOX.miniAppId) }),
    });
    expect(ok.result_code).toBe("SUCCESS");
    expect(ok.appid).toBe(SANDBOX.miniAppId);
  });

  it("time_expire is Beijing time and must be at least 5 minutes ahead", async () => {
    const beijing = (ms: number) => {
      const d = new Date(ms + 8 * 60 * MIN);
      return d.toISOString().replace(/\D/g, "").slice(0, 14);
    };
    const now = sim.clock.now();
    const short = await rawPay(
      sim,
      "/pay/unifiedorder",
      jsapiOrderFields(outTradeNo(), { time_expire: beijing(now + 4 * MIN) }),
    );
    expect(short.err_code_des).toBe("time_expire时间过短，刷卡至少1分钟，其他5分钟");
    // The classic timezone bug: UTC digits sent as if they were Beijing time are 8 hours in the past.
    const utcDigits = new Date(now + 30 * MIN).toISOString().replace(/\D/g, "").slice(0, 14);
    const tz = await rawPay(
      sim,
      "/pay/unifiedorder",
      jsapiOrderFields(outTradeNo(), { time_expire: utcDigits }),
    );
    expect(tz.err_code).toBe("PARAM_ERROR");
    const fine = await rawPay(
      sim,
      "/pay/unifiedorder",
      jsapiOrderFields(outTradeNo(), { time_expire: beijing(now + 5 * MIN + 1000) }),
    );
    expect(fine.result_code).toBe("SUCCESS");
  });

  it("answers NOAUTH for a trade type the merchant was not granted", async () => {
    await fetch(`${sim.url}/__sim/merchants`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ mchId: SANDBOX.mchId, tradeTypes: ["JSAPI"] }),
    });
    const r = await rawPay(sim, "/pay/unifiedorder", {
      ...jsapiOrderFields(outTradeNo(), { trade_type: "NATIVE", product_id: "p1" }),
      openid: "",
    });
    expect([r.err_code, r.err_code_des]).toEqual(["NOAUTH", "商户无此接口权限"]);
  });

  it("answers SYSTEMERROR while a fault rule says so, and the same request then succeeds", async () => {
    await fetch(`${sim.url}/__sim/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ scope: {}, rule: { systemError: { endpoints: ["unifiedorder"], times: 1 } } }),
    });
    const body = signedXml(jsapiOrderFields(outTradeNo()));
    const first = await rawPost(sim, "/pay/unifiedorder", body);
    expect([first.result_code, first.err_code]).toEqual(["FAIL", "SYSTEMERROR"]);
    const again = await rawPost(sim, "/pay/unifiedorder", body);
    expect(again.result_code).toBe("SUCCESS");
  });
});

describe("re-entry of an existing out_trade_no", () => {
  it("identical parameters (new nonce) answer a fresh prepay_id; the body sent byte-identical works too", async () => {
    const no = outTradeNo();
    const a = await rawPay(sim, "/pay/unifiedorder", jsapiOrderFields(no));
    const b = await rawPay(sim, "/pay/unifiedorder", jsapiOrderFields(no));
    expect(b.result_code).toBe("SUCCESS");
    expect(b.prepay_id).not.toBe(a.prepay_id);
    const client = payClient(sim);
    const prepared = client.prepareUnifiedOrder({
      tradeType: "JSAPI",
      outTradeNo: outTradeNo(),
      body: "重发",
      totalFeeFen: 5,
      notifyUrl: "http://127.0.0.1:9/notify",
      spbillCreateIp: "127.0.0.1",
      openid: openidOf("alice"),
    });
    const first = await client.sendUnifiedOrder(prepared.body);
    const second = await client.sendUnifiedOrder(prepared.body);
    expect(second.outTradeNo).toBe(first.outTradeNo);
    expect(second.prepayId).not.toBe(first.prepayId);
  });

  it("any changed parameter answers INVALID_REQUEST 201 商户订单号重复", async () => {
    const no = outTradeNo();
    await rawPay(sim, "/pay/unifiedorder", jsapiOrderFields(no));
    const changes: Record<string, string | number>[] = [
      { total_fee: 2 },
      { body: "别的" },
      { openid: openidOf("bob") },
      { attach: "x" },
    ];
    for (const change of changes) {
      const r = await rawPay(sim, "/pay/unifiedorder", jsapiOrderFields(no, change));
      expect([r.err_code, r.err_code_des]).toEqual(["INVALID_REQUEST", "201 商户订单号重复"]);
    }
    const client = payClient(sim);
    const err = await client
      .unifiedOrder({
        tradeType: "JSAPI",
        outTradeNo: no,
        body: "测试商品",
        totalFeeFen: 3,
        notifyUrl: "http://127.0.0.1:9/notify",
        spbillCreateIp: "127.0.0.1",
        openid: openidOf("alice"),
      })
      .catch((e: unknown) => e);
    expect((err as WechatPayApiError).errCode).toBe("INVALID_REQUEST");
  });

  it("a paid order answers ORDERPAID and a closed one ORDERCLOSED", async () => {
    const paid = outTradeNo();
    await rawPay(sim, "/pay/unifiedorder", jsapiOrderFields(paid));
    const pay = await fetch(`${sim.url}/__sim/pay`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ outTradeNo: paid }),
    });
    expect(pay.status).toBe(200);
    const r1 = await rawPay(sim, "/pay/unifiedorder", jsapiOrderFields(paid));
    expect([r1.err_code, r1.err_code_des]).toEqual(["ORDERPAID", "该订单已支付"]);

    const closed = outTradeNo();
    await rawPay(sim, "/pay/unifiedorder", jsapiOrderFields(closed));
    sim.clock.advance(5 * MIN);
    expect((await rawPay(sim, "/pay/closeorder", { out_trade_no: closed })).result_code).toBe("SUCCESS");
    const r2 = await rawPay(sim, "/pay/unifiedorder", jsapiOrderFields(closed));
    expect([r2.err_code, r2.err_code_des]).toEqual(["ORDERCLOSED", "该订单已关闭"]);
  });

  it("an order past its time_expire is CLOSED: orderquery says so and re-entry answers ORDERCLOSED", async () => {
    const no = outTradeNo();
    const expire = new Date(sim.clock.now() + 8 * 60 * MIN + 10 * MIN)
      .toISOString()
      .replace(/\D/g, "")
      .slice(0, 14);
    await rawPay(sim, "/pay/unifiedorder", jsapiOrderFields(no, { time_expire: expire }));
    sim.clock.advance(11 * MIN);
    const q = await payClient(sim).orderQuery({ outTradeNo: no });
    expect(q.tradeState).toBe("CLOSED");
    expect(
      (await rawPay(sim, "/pay/unifiedorder", jsapiOrderFields(no, { time_expire: expire }))).err_code,
    ).toBe("ORDERCLOSED");
  });
});

describe("orderquery", () => {
  it("answers ORDERNOTEXIST for an unknown order (the key and mch_id are right)", async () => {
    const err = await payClient(sim)
      .orderQuery({ outTradeNo: outTradeNo() })
      .catch((e: unknown) => e);
    expect((err as WechatPayApiError).errCode).toBe("ORDERNOTEXIST");
  });

  it("gives trade_state NOTPAY, then the payer and amount fields once paid, by out_trade_no or transaction_id", async () => {
    const client = payClient(sim);
    const no = outTradeNo();
    await rawPay(sim, "/pay/unifiedorder", jsapiOrderFields(no, { total_fee: 321, attach: "a=1" }));
    const before = await client.orderQuery({ outTradeNo: no });
    expect(before.tradeState).toBe("NOTPAY");
    expect(before.attach).toBe("a=1");
    expect(before.openid).toBeUndefined();
    await fetch(`${sim.url}/__sim/pay`, { method: "POST", body: JSON.stringify({ outTradeNo: no }) });
    const after = await client.orderQuery({ outTradeNo: no });
    if (after.tradeState !== "SUCCESS") throw new Error("expected SUCCESS");
    expect(after.totalFeeFen).toBe(321);
    expect(after.openid).toBe(openidOf("alice"));
    expect(after.transactionId).toMatch(/^\d{28}$/);
    const byTx = await client.orderQuery({ transactionId: after.transactionId });
    expect(byTx.outTradeNo).toBe(no);
  });

  it("neither out_trade_no nor transaction_id answers PARAM_ERROR", async () => {
    const r = await rawPay(sim, "/pay/orderquery", {});
    expect(r.err_code).toBe("PARAM_ERROR");
  });
});

describe("closeorder", () => {
  it("is refused within 5 minutes of the order's creation and accepted after", async () => {
    const client = payClient(sim);
    const no = outTradeNo();
    await rawPay(sim, "/pay/unifiedorder", jsapiOrderFields(no));
    sim.clock.advance(4 * MIN + 59_000);
    const early = await client.closeOrder({ outTradeNo: no }).catch((e: unknown) => e);
    expect((early as WechatPayApiError).errCode).toBe("SYSTEMERROR");
    expect((early as WechatPayApiError).errCodeDes).toContain("最短调用时间间隔为5分钟");
    sim.clock.advance(1000);
    expect(await client.closeOrder({ outTradeNo: no })).toEqual({ outTradeNo: no, alreadyClosed: false });
    expect(await client.closeOrder({ outTradeNo: no })).toEqual({ outTradeNo: no, alreadyClosed: true });
    expect((await client.orderQuery({ outTradeNo: no })).tradeState).toBe("CLOSED");
  });

  it("answers ORDERPAID for a paid order and ORDERNOTEXIST for an unknown one", async () => {
    const no = outTradeNo();
    await rawPay(sim, "/pay/unifiedorder", jsapiOrderFields(no));
    await fetch(`${sim.url}/__sim/pay`, { method: "POST", body: JSON.stringify({ outTradeNo: no }) });
    sim.clock.advance(10 * MIN);
    expect((await rawPay(sim, "/pay/closeorder", { out_trade_no: no })).err_code).toBe("ORDERPAID");
    expect((await rawPay(sim, "/pay/closeorder", { out_trade_no: outTradeNo() })).err_code).toBe(
      "ORDERNOTEXIST",
    );
  });

  it("makes the order's prepay_id unusable", async () => {
    const no = outTradeNo();
    const r = await rawPay(sim, "/pay/unifiedorder", jsapiOrderFields(no));
    sim.clock.advance(6 * MIN);
    await rawPay(sim, "/pay/closeorder", { out_trade_no: no });
    const pay = await fetch(`${sim.url}/__sim/pay`, {
      method: "POST",
      body: JSON.stringify({ prepayId: r.prepay_id }),
    });
    expect(pay.status).toBe(409);
  });
});

describe("refund and refundquery", () => {
  async function paidOrder(totalFee = 1000): Promise<string> {
    const no = outTradeNo();
    await rawPay(sim, "/pay/unifiedorder", jsapiOrderFields(no, { total_fee: totalFee }));
    await fetch(`${sim.url}/__sim/pay`, { method: "POST", body: JSON.stringify({ outTradeNo: no }) });
    return no;
  }

  it("accepts a refund as PROCESSING, is idempotent by out_refund_no, and settles to SUCCESS later", async () => {
    const client = payClient(sim);
    const no = await paidOrder();
    const first = await client.refund({
      outTradeNo: no,
      outRefundNo: "R1-" + no,
      totalFeeFen: 1000,
      refundFeeFen: 300,
    });
    const again = await client.refund({
      outTradeNo: no,
      outRefundNo: "R1-" + no,
      totalFeeFen: 1000,
      refundFeeFen: 300,
    });
    expect(again.refundId).toBe(first.refundId);
    expect(sim.state.refunds.size).toBe(1);
    expect((await client.orderQuery({ outTradeNo: no })).tradeState).toBe("REFUND");
    const processing = await client.refundQuery({ outRefundNo: "R1-" + no });
    expect(processing.refunds[0]?.refundStatus).toBe("PROCESSING");
    sim.clock.advance(sim.config.refundSettleMs);
    const done = await client.refundQuery({ outTradeNo: no });
    expect(done.refunds.map((r) => [r.refundStatus, r.refundFeeFen])).toEqual([["SUCCESS", 300]]);
    expect(done.refunds[0]?.refundSuccessTime).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
  });

  it("enforces the order amount, the refundable balance, one minute between refunds, and out_refund_no consistency", async () => {
    const no = await paidOrder(1000);
    const refund = (fields: Record<string, string | number>) =>
      rawPay(sim, "/secapi/pay/refund", { out_trade_no: no, total_fee: 1000, ...fields });
    expect((await refund({ out_refund_no: "a1", total_fee: 999, refund_fee: 1 })).err_code_des).toBe(
      "订单金额或退款金额与之前请求不一致，请核实后再试",
    );
    expect((await refund({ out_refund_no: "a1", refund_fee: 1001 })).err_code_des).toBe(
      "申请退款金额超过订单可退金额",
    );
    expect((await refund({ out_refund_no: "a1", refund_fee: 600 })).result_code).toBe("SUCCESS");
    expect((await refund({ out_refund_no: "a1", refund_fee: 601 })).err_code_des).toBe(
      "订单金额或退款金额与之前请求不一致，请核实后再试",
    );
    expect((await refund({ out_refund_no: "a2", refund_fee: 100 })).err_code).toBe("FREQUENCY_LIMITED");
    sim.clock.advance(60_000);
    expect((await refund({ out_refund_no: "a2", refund_fee: 401 })).err_code).toBe("ERROR");
    expect((await refund({ out_refund_no: "a2", refund_fee: 400 })).result_code).toBe("SUCCESS");
    expect((await refund({ out_refund_no: "a2", refund_fee: 0 })).err_code_des).toBe("invalid refund_fee");
  });

  it("answers ORDERNOTEXIST for an unpaid order and REFUNDNOTEXIST for a query with nothing to find", async () => {
    const no = outTradeNo();
    await rawPay(sim, "/pay/unifiedorder", jsapiOrderFields(no));
    const r = await rawPay(sim, "/secapi/pay/refund", {
      out_trade_no: no,
      out_refund_no: "x1",
      total_fee: 1,
      refund_fee: 1,
    });
    expect(r.err_code).toBe("ORDERNOTEXIST");
    const q = await payClient(sim)
      .refundQuery({ outTradeNo: no })
      .catch((e: unknown) => e);
    expect((q as WechatPayApiError).errCode).toBe("REFUNDNOTEXIST");
  });
});

describe("downloadbill", () => {
  it("serves yesterday's bill after 09:00 Beijing as a backtick-prefixed table the client parses", async () => {
    // Start at 2024-03-01 12:00 Beijing, pay, then move to the next day 10:00.
    const s = await startTestSim({ timeScale: 0, startTime: Date.UTC(2024, 2, 1, 4, 0, 0) });
    try {
      const no = outTradeNo();
      await rawPay(s, "/pay/unifiedorder", jsapiOrderFields(no, { total_fee: 1234 }));
      await fetch(`${s.url}/__sim/pay`, { method: "POST", body: JSON.stringify({ outTradeNo: no }) });
      const client = payClient(s);
      const creating = await client.downloadBill({ billDate: "20240301" }).catch((e: unknown) => e);
      expect((creating as WechatPayApiError).returnMsg).toBe("Bill Creating");
      s.clock.advance(22 * 60 * MIN);
      const bill = await client.downloadBill({ billDate: "20240301" });
      expect(bill.text.split("\r\n")[1]).toMatch(/^`2024-03-01 12:00:00,`wxd930ea5d5a258f4f,`1230000109,/);
      expect(bill.rows).toHaveLength(1);
      const gz = await client.downloadBill({ billDate: "20240301", gzip: true });
      expect(gz.rows).toHaveLength(1);
      const none = await client.downloadBill({ billDate: "20240229" }).catch((e: unknown) => e);
      expect((none as WechatPayApiError).returnMsg).toBe("No Bill Exist");
      const badType = await rawPay(s, "/pay/downloadbill", { bill_date: "20240301", bill_type: "NOPE" });
      expect(badType.return_msg).toBe("invalid bill_type");
    } finally {
      await s.close();
    }
  });
});

describe("bad input never crashes the simulator", () => {
  it("answers every hostile body on every pay path with WeChat's XML and keeps serving", async () => {
    const bodies: (string | Buffer)[] = [
      "",
      " ",
      "<",
      "<xml>",
      "<xml></xml>",
      "<xml><appid/><mch_id/></xml>",
      "<xml><a>1</a><a>2</a></xml>",
      '{"appid":"wx"}',
      Buffer.from([0xff, 0xfe, 0x00, 0x3c]),
      "<xml>" + "<f>x</f>".repeat(10_000) + "</xml>",
      "<xml><appid><![CDATA[" + "a".repeat(5000) + "]]></appid></xml>",
      "<xml><out_trade_no>&#0;</out_trade_no></xml>",
      signedXml({ total_fee: "99999999999999999999", out_trade_no: "abcdef" }),
    ];
    for (const path of [
      "/pay/unifiedorder",
      "/pay/orderquery",
      "/pay/closeorder",
      "/secapi/pay/refund",
      "/pay/refundquery",
      "/pay/downloadbill",
    ]) {
      for (const body of bodies) {
        const res = await fetch(`${sim.url}${path}`, { method: "POST", body });
        expect(res.status).toBe(200);
        const parsed = parseXml(await res.text());
        expect(parsed.return_code === "FAIL" || parsed.result_code === "FAIL").toBe(true);
      }
    }
    const big = await fetch(`${sim.url}/pay/unifiedorder`, {
      method: "POST",
      body: Buffer.alloc(2 * 1024 * 1024, 0x61),
    });
    expect(parseXml(await big.text()).return_msg).toBe("XML格式错误");
    expect((await fetch(`${sim.url}/__sim/health`)).status).toBe(200);
  });

  it("the client's own input checks stay in front of the simulator", () => {
    expect(() =>
      payClient(sim).prepareUnifiedOrder({
        tradeType: "JSAPI",
        outTradeNo: "bad no!",
        body: "x",
        totalFeeFen: 1,
        notifyUrl: "http://127.0.0.1:9/n",
        spbillCreateIp: "127.0.0.1",
        openid: "o",
      }),
    ).toThrow(WechatPayError);
  });
});
