// The v3 endpoints' rules and WeChat's error bodies: field validation (PARAM_ERROR with a JSON pointer), the
// merchant/app checks, re-entry, H5 and Native, query and close, partial refunds, bills with their SHA1, and one
// store for both API versions. Requests are signed by the by-the-docs merchant (test/v3-by-the-docs.ts).
import { createHash, createSign, generateKeyPairSync } from "node:crypto";
import { gunzipSync } from "node:zlib";

import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { parseBill } from "@wxpay/wechatpay";

import { createSimControl, type SimControl } from "../src/control-client";
import type { Simulator } from "../src/server";
import { openidOf, outTradeNo, payClient, SANDBOX, startTestSim } from "./helpers";
import { createWx } from "../src/wx-shim";
import { answerVerifies, byTheDocsClient, MERCHANT, type V3Answer } from "./v3-by-the-docs";

let sim: Simulator;
let control: SimControl;
let client: ReturnType<typeof byTheDocsClient>;
const nowSec = () => Math.floor(sim.clock.now() / 1000);
const MIN = 60_000;
const DAY = 24 * 60 * MIN;

beforeAll(async () => {
  // 10:00 Beijing, so a day's trades fall on one date (bills: the day's file exists from 09:00 the next day).
  sim = await startTestSim({ timeScale: 0, startTime: Date.parse("2026-11-30T10:00:00+08:00") });
  control = createSimControl(sim.url);
  client = byTheDocsClient(sim.url, nowSec);
});
afterAll(() => sim.close());
beforeEach(() => sim.state.reset());

const order = (no: string, over: Record<string, unknown> = {}) => ({
  appid: SANDBOX.officialAppId,
  mchid: SANDBOX.mchId,
  description: "测试商品",
  out_trade_no: no,
  notify_url: "https://shop.example/api/wechat/v3/pay/notify",
  amount: { total: 1000, currency: "CNY" },
  payer: { openid: openidOf("alice") },
  ...over,
});
const h5Order = (no: string, over: Record<string, unknown> = {}) => {
  const { payer: _payer, ...rest } = order(no);
  return { ...rest, scene_info: { payer_client_ip: "203.0.113.9", h5_info: { type: "Wap" } }, ...over };
};
const nativeOrder = (no: string) => {
  const { payer: _payer, ...rest } = order(no);
  return rest;
};

const expectError = (r: V3Answer, status: number, body: Record<string, unknown>) => {
  expect(r.status).toBe(status);
  expect(r.json).toMatchObject(body);
  expect(answerVerifies(r, nowSec())).toBe(true); // the caller was verified, so the error is signed
};

const query = (no: string) => client.get(`/v3/pay/transactions/out-trade-no/${no}?mchid=${SANDBOX.mchId}`);

describe("order fields (400 PARAM_ERROR with the field's JSON pointer)", () => {
  it.each([
    ["amount.total 0", { amount: { total: 0 } }, "/amount/total"],
    ["amount.total as a string", { amount: { total: "1" } }, "/amount/total"],
    ["a currency other than CNY", { amount: { total: 1, currency: "USD" } }, "/amount/currency"],
    ["no description", { description: undefined }, "/description"],
    ["a 128-character description", { description: "商".repeat(128) }, "/description"],
    ["an emoji in the description", { description: "好货😀" }, "/description"],
    ["out_trade_no of 5 characters", { out_trade_no: "A1234" }, "/out_trade_no"],
    ["out_trade_no with a dot", { out_trade_no: "A123.456" }, "/out_trade_no"],
    ["notify_url with a query string", { notify_url: "https://shop.example/n?x=1" }, "/notify_url"],
    ["time_expire not RFC 3339", { time_expire: "20261130120000" }, "/time_expire"],
    ["a field WeChat does not know", { total_fee: 1 }, "/total_fee"],
    ["JSAPI without payer.openid", { payer: {} }, "/payer/openid"],
  ])("%s", async (_name, over, field) => {
    const body = JSON.parse(JSON.stringify(order(outTradeNo(), over))) as Record<string, unknown>;
    expectError(await client.post("/v3/pay/transactions/jsapi", body), 400, {
      code: "PARAM_ERROR",
      message: "参数错误",
      detail: { field, location: "body" },
    });
  });

  it("H5 without scene_info.h5_info, or with a bad payer_client_ip", async () => {
    expectError(
      await client.post(
        "/v3/pay/transactions/h5",
        h5Order(outTradeNo(), { scene_info: { payer_client_ip: "1.2.3.4" } }),
      ),
      400,
      { code: "PARAM_ERROR", detail: { field: "/scene_info/h5_info" } },
    );
    expectError(
      await client.post(
        "/v3/pay/transactions/h5",
        h5Order(outTradeNo(), { scene_info: { payer_client_ip: "not-an-ip", h5_info: { type: "Wap" } } }),
      ),
      400,
      { code: "PARAM_ERROR", detail: { field: "/scene_info/payer_client_ip" } },
    );
  });

  it("a body that is not JSON", async () => {
    expectError(await client.post("/v3/pay/transactions/native", "{not json"), 400, {
      code: "PARAM_ERROR",
      detail: { field: "/" },
    });
  });
});

describe("merchant, app and order-state rules", () => {
  it("a body mchid other than the caller's: 400 INVALID_REQUEST", async () => {
    expectError(
      await client.post("/v3/pay/transactions/jsapi", order(outTradeNo(), { mchid: "1900000109" })),
      400,
      {
        code: "INVALID_REQUEST",
        message: "http header中的mchid与post payload中的mchid不匹配",
      },
    );
  });

  it("an appid not bound to the merchant: 400 APPID_MCHID_NOT_MATCH", async () => {
    expectError(
      await client.post("/v3/pay/transactions/jsapi", order(outTradeNo(), { appid: "wx0000000000000000" })),
      400,
      { code: "APPID_MCHID_NOT_MATCH" },
    );
  });

  it("an openid of another appid: 500 OPENID_MISMATCH, as the order pages list it", async () => {
    expectError(
      await client.post(
        "/v3/pay/transactions/jsapi",
        order(outTradeNo(), { payer: { openid: openidOf("alice", SANDBOX.miniAppId) } }),
      ),
      500,
      { code: "OPENID_MISMATCH", message: "openid和appid不匹配" },
    );
  });

  it("a trade type the merchant lacks: 403 NO_AUTH", async () => {
    await control.upsertMerchant({ mchId: SANDBOX.mchId, tradeTypes: ["JSAPI"] });
    expectError(await client.post("/v3/pay/transactions/native", nativeOrder(outTradeNo())), 403, {
      code: "NO_AUTH",
    });
  });

  it("re-entry: the same body gets a new prepay_id, a changed one INVALID_REQUEST; paid ORDER_PAID, closed ORDER_CLOSED", async () => {
    const no = outTradeNo();
    const first = await client.post("/v3/pay/transactions/jsapi", order(no));
    // Key order does not matter (WeChat: the order of JSON keys is not significant).
    const reordered = Object.fromEntries(Object.entries(order(no)).reverse());
    const again = await client.post("/v3/pay/transactions/jsapi", reordered);
    expect(again.status).toBe(200);
    expect((again.json as { prepay_id: string }).prepay_id).not.toBe(
      (first.json as { prepay_id: string }).prepay_id,
    );
    expectError(
      await client.post("/v3/pay/transactions/jsapi", order(no, { amount: { total: 1001 } })),
      400,
      {
        code: "INVALID_REQUEST",
        message: "请求重入时，参数与首次请求时不一致",
      },
    );
    await control.pay({ outTradeNo: no });
    expectError(await client.post("/v3/pay/transactions/jsapi", order(no)), 400, { code: "ORDER_PAID" });
    const other = outTradeNo();
    await client.post("/v3/pay/transactions/jsapi", order(other));
    await client.post(`/v3/pay/transactions/out-trade-no/${other}/close`, { mchid: SANDBOX.mchId });
    expectError(await client.post("/v3/pay/transactions/jsapi", order(other)), 400, { code: "ORDER_CLOSED" });
  });

  it("an injected SYSTEM_ERROR answers 500 and leaves nothing behind; the retry succeeds", async () => {
    const no = outTradeNo();
    await control.setFault({}, { systemError: { endpoints: ["v3/jsapi"], times: 1 } });
    expectError(await client.post("/v3/pay/transactions/jsapi", order(no)), 500, { code: "SYSTEM_ERROR" });
    expect(await control.orders({ outTradeNo: no })).toHaveLength(0);
    expect((await client.post("/v3/pay/transactions/jsapi", order(no))).status).toBe(200);
  });
});

describe("query and close", () => {
  it("NOTPAY carries no payment fields; once paid it is found by out_trade_no and by transaction_id alike", async () => {
    const no = outTradeNo();
    await client.post("/v3/pay/transactions/jsapi", order(no, { attach: "a=1" }));
    const unpaid = await query(no);
    expect(unpaid.json).toEqual({
      appid: SANDBOX.officialAppId,
      mchid: SANDBOX.mchId,
      out_trade_no: no,
      trade_state: "NOTPAY",
      trade_state_desc: "订单未支付",
      amount: { total: 1000, currency: "CNY" },
    });
    const { order: paid } = await control.pay({ outTradeNo: no });
    const byNo = await query(no);
    const byId = await client.get(`/v3/pay/transactions/id/${paid.transactionId}?mchid=${SANDBOX.mchId}`);
    expect(byId.json).toEqual(byNo.json);
    expect(byNo.json).toMatchObject({
      trade_state: "SUCCESS",
      transaction_id: paid.transactionId,
      attach: "a=1",
    });
  });

  it("mchid is a required query parameter and must be the caller's; unknown orders are 404 ORDER_NOT_EXIST", async () => {
    expectError(await client.get(`/v3/pay/transactions/out-trade-no/${outTradeNo()}`), 400, {
      code: "PARAM_ERROR",
      detail: { field: "mchid", location: "query" },
    });
    expectError(await client.get(`/v3/pay/transactions/out-trade-no/${outTradeNo()}?mchid=1900000109`), 400, {
      code: "INVALID_REQUEST",
    });
    expectError(
      await client.get(`/v3/pay/transactions/id/4200000000202611300000000000?mchid=${SANDBOX.mchId}`),
      404,
      {
        code: "ORDER_NOT_EXIST",
      },
    );
  });

  it("close is re-entrant (204 twice), refuses a paid order, and a closed order cannot be paid", async () => {
    const no = outTradeNo();
    await client.post("/v3/pay/transactions/jsapi", order(no));
    const close = () =>
      client.post(`/v3/pay/transactions/out-trade-no/${no}/close`, { mchid: SANDBOX.mchId });
    expect((await close()).status).toBe(204);
    expect((await close()).status).toBe(204);
    expect((await query(no)).json).toMatchObject({ trade_state: "CLOSED" });
    await expect(control.pay({ outTradeNo: no })).rejects.toThrow(/ORDER_CLOSED/);
    const paid = outTradeNo();
    await client.post("/v3/pay/transactions/jsapi", order(paid));
    await control.pay({ outTradeNo: paid });
    expectError(
      await client.post(`/v3/pay/transactions/out-trade-no/${paid}/close`, { mchid: SANDBOX.mchId }),
      400,
      { code: "ORDER_PAID" },
    );
    expectError(
      await client.post(`/v3/pay/transactions/out-trade-no/${no}/close`, { mchid: SANDBOX.mchId, x: 1 }),
      400,
      { code: "PARAM_ERROR", detail: { field: "/x" } },
    );
  });
});

describe("H5 and Native", () => {
  it("h5_url opens the simulator's H5 cashier for the order", async () => {
    const r = await client.post("/v3/pay/transactions/h5", h5Order(outTradeNo()));
    expect(r.status).toBe(200);
    const h5Url = (r.json as { h5_url: string }).h5_url;
    expect(h5Url).toMatch(new RegExp(`^${sim.publicUrl}/pay/h5cashier\\?prepay_id=wx\\w+&package=\\d{10}$`));
    const page = await fetch(h5Url, { headers: { Referer: "http://localhost:3000/orders/1" } });
    expect(await page.text()).toContain('data-testid="h5-cashier"');
  });

  it("a scanned code_url pays the order as the chosen user; re-ordering makes the old code_url stale", async () => {
    const no = outTradeNo();
    const first = (await client.post("/v3/pay/transactions/native", nativeOrder(no))).json as {
      code_url: string;
    };
    expect(first.code_url).toMatch(/^weixin:\/\/wxpay\/bizpayurl\?pr=\w{7}$/);
    const second = (await client.post("/v3/pay/transactions/native", nativeOrder(no))).json as {
      code_url: string;
    };
    expect(second.code_url).not.toBe(first.code_url);
    await expect(control.scan({ codeUrl: first.code_url })).rejects.toThrow(/EXPIRED/);
    const paid = await control.scan({ codeUrl: second.code_url, userId: "bob" });
    expect(paid.order).toMatchObject({
      tradeState: "SUCCESS",
      tradeType: "NATIVE",
      payerOpenid: openidOf("bob"),
    });
    expect((await query(no)).json).toMatchObject({
      trade_type: "NATIVE",
      payer: { openid: openidOf("bob") },
    });
  });
});

describe("paying a v3 JSAPI order in the mini-program (paySign is SHA256withRSA)", () => {
  it("wx.requestPayment accepts a paySign made with the merchant key and refuses one made with another", async () => {
    const no = outTradeNo();
    const created = await client.post(
      "/v3/pay/transactions/jsapi",
      order(no, { appid: SANDBOX.miniAppId, payer: { openid: openidOf("bob", SANDBOX.miniAppId) } }),
    );
    const pkg = `prepay_id=${(created.json as { prepay_id: string }).prepay_id}`;
    const timeStamp = String(nowSec());
    const nonceStr = "5K8264ILTKCH16CQ2502SI8ZNMTM67VS";
    const paySign = (key: string) =>
      createSign("RSA-SHA256")
        .update(`${SANDBOX.miniAppId}\n${timeStamp}\n${nonceStr}\n${pkg}\n`)
        .sign(key, "base64");
    const wx = createWx({ simUrl: sim.url, appId: SANDBOX.miniAppId, userId: "bob" });
    const params = { timeStamp, nonceStr, package: pkg, signType: "RSA" as const };
    const other = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({
      type: "pkcs8",
      format: "pem",
    });
    await expect(wx.requestPayment({ ...params, paySign: paySign(other.toString()) })).rejects.toMatchObject({
      errMsg: "requestPayment:fail 支付验证签名失败",
    });
    expect((await wx.requestPayment({ ...params, paySign: paySign(MERCHANT.privateKey) })).errMsg).toBe(
      "requestPayment:ok",
    );
    expect((await query(no)).json).toMatchObject({
      trade_state: "SUCCESS",
      payer: { openid: openidOf("bob", SANDBOX.miniAppId) },
    });
  });
});

describe("partial refunds", () => {
  const refund = (no: string, outRefundNo: string, amount: number, total = 1000) =>
    client.post("/v3/refund/domestic/refunds", {
      out_trade_no: no,
      out_refund_no: outRefundNo,
      reason: "部分退款",
      amount: { refund: amount, total, currency: "CNY" },
    });

  it("two refunds of one payment add up; a third that would exceed the payment is refused", async () => {
    const no = outTradeNo();
    await client.post("/v3/pay/transactions/jsapi", order(no));
    await control.pay({ outTradeNo: no });

    const first = await refund(no, `${no}-r1`, 300);
    expect(first.status).toBe(200);
    expect(answerVerifies(first, nowSec())).toBe(true);
    expect(first.json).toMatchObject({
      out_refund_no: `${no}-r1`,
      out_trade_no: no,
      status: "PROCESSING",
      amount: { total: 1000, refund: 300, payer_refund: 300, currency: "CNY" },
    });
    // WeChat: two refunds of one order at least a minute apart.
    expectError(await refund(no, `${no}-r2`, 600), 429, { code: "FREQUENCY_LIMITED" });
    sim.clock.advance(MIN);
    expect((await refund(no, `${no}-r2`, 600)).status).toBe(200);
    sim.clock.advance(MIN);
    expectError(await refund(no, `${no}-r3`, 101), 400, {
      code: "INVALID_REQUEST",
      message: "申请退款金额超过订单可退金额",
    });
    expect((await refund(no, `${no}-r3`, 100)).status).toBe(200);

    const refunds = await control.refunds({ outTradeNo: no });
    expect(refunds.map((r) => r.refundFee).reduce((a, b) => a + b, 0)).toBe(1000);
    expect((await query(no)).json).toMatchObject({ trade_state: "REFUND" });
    const settled = await client.get(`/v3/refund/domestic/refunds/${no}-r1`);
    expect(settled.json).toMatchObject({
      status: "SUCCESS",
      success_time: expect.stringMatching(/\+08:00$/),
    });
  });

  it("the same out_refund_no refunds once; changed parameters, an unpaid order or a wrong total are refused", async () => {
    const no = outTradeNo();
    await client.post("/v3/pay/transactions/jsapi", order(no));
    expectError(await refund(no, `${no}-r1`, 100), 404, { code: "RESOURCE_NOT_EXISTS" });
    await control.pay({ outTradeNo: no });
    const a = await refund(no, `${no}-r1`, 100);
    const b = await refund(no, `${no}-r1`, 100);
    expect((b.json as { refund_id: string }).refund_id).toBe((a.json as { refund_id: string }).refund_id);
    expect(await control.refunds({ outTradeNo: no })).toHaveLength(1);
    expectError(await refund(no, `${no}-r1`, 200), 400, { code: "INVALID_REQUEST" });
    sim.clock.advance(MIN);
    expectError(await refund(no, `${no}-r2`, 100, 999), 400, { code: "INVALID_REQUEST" });
    expectError(await client.get(`/v3/refund/domestic/refunds/none-${no}`), 404, {
      code: "RESOURCE_NOT_EXISTS",
    });
  });
});

describe("bills", () => {
  /** An order paid and partly refunded today (Beijing); then the clock moves to tomorrow 10:00, when the bill exists. */
  async function dayWithTrades(): Promise<{ no: string; billDate: string }> {
    const no = outTradeNo();
    const billDate = new Date(sim.clock.now() + 8 * 60 * MIN).toISOString().slice(0, 10);
    await client.post("/v3/pay/transactions/jsapi", order(no, { amount: { total: 1234 } }));
    await control.pay({ outTradeNo: no });
    await client.post("/v3/refund/domestic/refunds", {
      out_trade_no: no,
      out_refund_no: `${no}-r`,
      amount: { refund: 234, total: 1234, currency: "CNY" },
    });
    sim.clock.advance(DAY);
    return { no, billDate };
  }

  it("tradebill: the downloaded file's SHA1 is hash_value and it parses into integer fen; gzip hashes the original", async () => {
    const { no, billDate } = await dayWithTrades();
    const r = await client.get(`/v3/bill/tradebill?bill_date=${billDate}&bill_type=ALL`);
    expect(r.status).toBe(200);
    expect(answerVerifies(r, nowSec())).toBe(true);
    const { hash_type, hash_value, download_url } = r.json as Record<string, string>;
    expect(hash_type).toBe("SHA1");
    const path = new URL(download_url ?? "").pathname + new URL(download_url ?? "").search;
    const file = await client.get(path);
    expect(file.status).toBe(200);
    // WeChat: the download is not signed.
    expect(file.headers.get("wechatpay-signature")).toBeNull();
    expect(createHash("sha1").update(file.bytes).digest("hex")).toBe(hash_value);
    const bill = parseBill(file.text);
    const paid = bill.rows.find((row) => row.outTradeNo === no && row.tradeState === "SUCCESS");
    expect(paid?.totalFeeFen).toBe(1234);
    expect(bill.summary.refundFeeFen).toBe(234);

    const gz = await client.get(`/v3/bill/tradebill?bill_date=${billDate}&tar_type=GZIP`);
    const gzUrl = new URL((gz.json as { download_url: string }).download_url);
    const original = gunzipSync((await client.get(gzUrl.pathname + gzUrl.search)).bytes);
    expect(createHash("sha1").update(original).digest("hex")).toBe(
      (gz.json as { hash_value: string }).hash_value,
    );
  });

  it("fundflowbill lists the basic account's movements; errors follow WeChat's codes", async () => {
    const { billDate } = await dayWithTrades();
    const r = await client.get(`/v3/bill/fundflowbill?bill_date=${billDate}`);
    expect(r.status).toBe(200);
    const url = new URL((r.json as { download_url: string }).download_url);
    const file = await client.get(url.pathname + url.search);
    expect(createHash("sha1").update(file.bytes).digest("hex")).toBe(
      (r.json as { hash_value: string }).hash_value,
    );
    expect(file.text).toContain("资金流水总笔数");
    expect(file.text).toContain("`12.34");

    const day = (offsetDays: number) =>
      new Date(Date.parse(billDate) + offsetDays * DAY).toISOString().slice(0, 10);
    expectError(await client.get(`/v3/bill/tradebill?bill_date=${day(1)}`), 400, {
      code: "STATEMENT_CREATING",
    });
    expectError(await client.get(`/v3/bill/tradebill?bill_date=${day(-1)}`), 400, {
      code: "NO_STATEMENT_EXIST",
    });
    expectError(await client.get("/v3/bill/tradebill?bill_date=20261130"), 400, {
      code: "PARAM_ERROR",
      detail: { field: "bill_date", location: "query" },
    });
    expectError(await client.get(`/v3/bill/tradebill?bill_date=${day(-100)}`), 400, {
      code: "INVALID_REQUEST",
    });
    // WeChat: a download_url works for 5 minutes.
    sim.clock.advance(5 * MIN);
    expectError(await client.get(url.pathname + url.search), 400, { code: "INVALID_REQUEST" });
  });
});

describe("one store for both API versions", () => {
  it("a v2 order is found by the v3 query and refunded through v3; a v3 order is seen by v2 orderquery", async () => {
    const v2no = outTradeNo();
    await payClient(sim).unifiedOrder({
      tradeType: "NATIVE",
      outTradeNo: v2no,
      body: "v2 商品",
      totalFeeFen: 500,
      notifyUrl: "http://127.0.0.1:9/notify",
      spbillCreateIp: "127.0.0.1",
      productId: "p1",
    });
    await control.pay({ outTradeNo: v2no });
    expect((await query(v2no)).json).toMatchObject({ trade_state: "SUCCESS", trade_type: "NATIVE" });
    const refunded = await client.post("/v3/refund/domestic/refunds", {
      out_trade_no: v2no,
      out_refund_no: `${v2no}-r`,
      amount: { refund: 500, total: 500, currency: "CNY" },
    });
    expect(refunded.status).toBe(200);

    const v3no = outTradeNo();
    await client.post("/v3/pay/transactions/jsapi", order(v3no));
    const viaV2 = await payClient(sim).orderQuery({ outTradeNo: v3no });
    expect(viaV2).toMatchObject({ tradeState: "NOTPAY" });
  });
});
