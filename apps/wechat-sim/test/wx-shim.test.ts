// The mini-program flow with the `wx` shim: wx.login → jscode2session → unifiedorder with the mini-program appid
// → wx.requestPayment, with WeChat's errMsg strings.
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { miniPayParams } from "@wxpay/wechatpay";

import type { Simulator } from "../src/server";
import { createWx } from "../src/wx-shim";
import {
  outTradeNo,
  payClient,
  platformClient,
  SANDBOX,
  startMerchant,
  startTestSim,
  until,
} from "./helpers";

let sim: Simulator;
beforeAll(async () => {
  sim = await startTestSim({ timeScale: 0 });
});
afterAll(() => sim.close());

const mini = { appId: SANDBOX.miniAppId, secret: SANDBOX.miniSecret };

async function miniOrder(openid: string, signType: "MD5" | "HMAC-SHA256" = "MD5") {
  const r = await payClient(sim, { appId: mini.appId, signType }).unifiedOrder({
    tradeType: "JSAPI",
    outTradeNo: outTradeNo("M"),
    body: "小程序-测试",
    totalFeeFen: 88,
    notifyUrl: "http://127.0.0.1:9/notify",
    spbillCreateIp: "127.0.0.1",
    openid,
  });
  return {
    ...r,
    params: miniPayParams({ appId: mini.appId, prepayId: r.prepayId, key: SANDBOX.key, signType }),
  };
}

describe("wx shim", () => {
  it("login gives a code the server exchanges for this mini-program's openid; requestPayment:ok pays the order", async () => {
    const wx = createWx({ simUrl: sim.url, appId: mini.appId, userId: "bob" });
    const login = await wx.login();
    expect(login.errMsg).toBe("login:ok");
    const session = await platformClient(sim).jscode2session({ ...mini, code: login.code });
    const order = await miniOrder(session.openid, "HMAC-SHA256");
    const results: string[] = [];
    const res = await wx.requestPayment({
      ...order.params,
      success: (r) => results.push(`success ${r.errMsg}`),
      complete: (r) => results.push(`complete ${r.errMsg}`),
    });
    expect(res.errMsg).toBe("requestPayment:ok");
    expect(results).toEqual(["success requestPayment:ok", "complete requestPayment:ok"]);
    const q = await payClient(sim, { appId: mini.appId }).orderQuery({ outTradeNo: order.outTradeNo });
    expect(q.tradeState).toBe("SUCCESS");
    expect(q.openid).toBe(session.openid);
  });

  it("a cancelled payment fails with requestPayment:fail cancel and leaves the order unpaid", async () => {
    const wx = createWx({ simUrl: sim.url, appId: mini.appId, onRequestPayment: "cancel" });
    const { code } = await wx.login();
    const session = await platformClient(sim).jscode2session({ ...mini, code });
    const order = await miniOrder(session.openid);
    const failed = await wx.requestPayment(order.params).catch((e: { errMsg: string }) => e);
    expect(failed.errMsg).toBe("requestPayment:fail cancel");
    wx.sim.setPaymentAction("fail");
    const failMsg: string[] = [];
    await wx.requestPayment({ ...order.params, fail: (r) => failMsg.push(r.errMsg) });
    expect(failMsg[0]).toMatch(/^requestPayment:fail /);
    expect(
      (await payClient(sim, { appId: mini.appId }).orderQuery({ outTradeNo: order.outTradeNo })).tradeState,
    ).toBe("PAYERROR");
  });

  it("a wrong paySign, the official account's appId or an expired prepay_id is refused like the WeChat client", async () => {
    const wx = createWx({ simUrl: sim.url, appId: mini.appId });
    const { code } = await wx.login();
    const session = await platformClient(sim).jscode2session({ ...mini, code });
    const order = await miniOrder(session.openid);
    const tampered = await wx
      .requestPayment({ ...order.params, paySign: "0".repeat(32) })
      .catch((e: { errMsg: string }) => e);
    expect(tampered.errMsg).toBe("requestPayment:fail 支付验证签名失败");
    // paySign signed with the official account's appId: the mini-program's appId is what WeChat checks.
    const wrongApp = miniPayParams({
      appId: SANDBOX.officialAppId,
      prepayId: order.prepayId,
      key: SANDBOX.key,
      signType: "MD5",
    });
    expect((await wx.requestPayment(wrongApp).catch((e: { errMsg: string }) => e)).errMsg).toBe(
      "requestPayment:fail 支付验证签名失败",
    );
    sim.clock.advance(2 * 60 * 60 * 1000);
    expect((await wx.requestPayment(order.params).catch((e: { errMsg: string }) => e)).errMsg).toBe(
      "requestPayment:fail 调用支付JSAPI缺少参数：total_fee",
    );
  });

  it("request is backed by fetch: query string for GET, JSON body for POST, data parsed as JSON", async () => {
    const seen: { method?: string; url?: string; body: string }[] = [];
    const server = await startMerchant((n) => {
      seen.push({
        body: n.body,
        method: String(n.headers["x-method"] ?? ""),
        url: String(n.headers["x-url"] ?? ""),
      });
      return { body: JSON.stringify({ ok: true, echo: n.body }) };
    });
    try {
      const wx = createWx({ simUrl: sim.url, appId: mini.appId });
      const got: { statusCode: number; data: unknown; errMsg: string }[] = [];
      wx.request({
        url: server.url,
        method: "POST",
        data: { items: [{ sku: "a", qty: 1 }] },
        success: (r) => got.push(r),
      });
      await until(() => got.length === 1);
      expect(got[0]?.errMsg).toBe("request:ok");
      expect(got[0]?.statusCode).toBe(200);
      expect(got[0]?.data).toEqual({ ok: true, echo: '{"items":[{"sku":"a","qty":1}]}' });
      const failed = await wx
        .request({ url: "http://127.0.0.1:9/x" })
        .done.catch((e: { errMsg: string }) => e);
      expect(failed.errMsg).toMatch(/^request:fail /);
    } finally {
      await server.close();
    }
  });
});
