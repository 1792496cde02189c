// The JS bridge's back end over HTTP (the browser script itself is exercised in e2e/): wx.config signature
// against the page URL and the current jsapi_ticket, and getBrandWCPayRequest's paySign and prepay_id checks.
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { jsapiPayParams, jsSdkSignature } from "@wxpay/wechatpay";

import type { Simulator } from "../src/server";
import { openidOf, outTradeNo, payClient, platformClient, SANDBOX, startTestSim } from "./helpers";

let sim: Simulator;
beforeAll(async () => {
  sim = await startTestSim({ timeScale: 0 });
});
afterAll(() => sim.close());

const official = { appId: SANDBOX.officialAppId, secret: SANDBOX.officialSecret };
const post = async (path: string, body: unknown) =>
  (await (await fetch(`${sim.url}${path}`, { method: "POST", body: JSON.stringify(body) })).json()) as Record<
    string,
    unknown
  >;

describe("wx.config verification", () => {
  it("accepts a signature over the page URL without '#…' made with a live ticket, and nothing else", async () => {
    const client = platformClient(sim);
    const token = await client.getAccessToken(official);
    const { ticket } = await client.getJsapiTicket({ accessToken: token.accessToken });
    const page = "http://localhost:3000/pay/wx/?order=1";
    const sig = (url: string, t = ticket) =>
      jsSdkSignature({ jsapiTicket: t, nonceStr: "n1", timestamp: "1700000000", url });
    const config = (over: Record<string, unknown>) =>
      post("/__sim/bridge/config", {
        appId: official.appId,
        timestamp: "1700000000",
        nonceStr: "n1",
        url: `${page}#/step2`,
        ...over,
      });
    expect(await config({ signature: sig(page) })).toEqual({ ok: true });
    expect(await config({ signature: sig(`${page}&from=share`) })).toEqual({
      ok: false,
      errMsg: "invalid signature",
    });
    expect(await config({ signature: sig("http://localhost:3000/other") })).toEqual({
      ok: false,
      errMsg: "invalid signature",
    });
    expect(await config({ signature: sig(page, "stale-ticket") })).toEqual({
      ok: false,
      errMsg: "invalid signature",
    });
    expect(await config({ signature: sig(page), url: "https://evil.example/pay" })).toEqual({
      ok: false,
      errMsg: "invalid url domain",
    });
    // A ticket whose 2 hours ran out no longer verifies.
    sim.clock.advance(7200 * 1000);
    expect(await config({ signature: sig(page) })).toEqual({ ok: false, errMsg: "invalid signature" });
  });
});

describe("getBrandWCPayRequest verification", () => {
  it("checks paySign, signType, appId and prepay_id, then pays as the order's openid", async () => {
    const no = outTradeNo();
    const r = await payClient(sim).unifiedOrder({
      tradeType: "JSAPI",
      outTradeNo: no,
      body: "桥",
      totalFeeFen: 5,
      notifyUrl: "http://127.0.0.1:9/notify",
      spbillCreateIp: "127.0.0.1",
      openid: openidOf("bob"),
    });
    const params = jsapiPayParams({
      appId: official.appId,
      prepayId: r.prepayId,
      key: SANDBOX.key,
      signType: "MD5",
    });
    expect(await post("/__sim/bridge/pay-request", { ...params, paySign: "X" })).toEqual({
      ok: false,
      message: "支付验证签名失败",
    });
    expect((await post("/__sim/bridge/pay-request", { ...params, signType: "HMAC-SHA256" })).message).toBe(
      "支付验证签名失败",
    );
    expect((await post("/__sim/bridge/pay-request", { ...params, package: "prepay_id=wx123" })).message).toBe(
      "调用支付JSAPI缺少参数：total_fee",
    );
    expect(
      (await post("/__sim/bridge/pay-request", { ...params, timeStamp: `${params.timeStamp}000` })).message,
    ).toBe("支付验证签名失败");
    const ok = await post("/__sim/bridge/pay-request", params);
    expect(ok).toMatchObject({ ok: true, amount: "¥0.05", body: "桥" });
    expect(await post("/__sim/bridge/pay-confirm", { token: ok.token, action: "ok" })).toEqual({
      result: "ok",
    });
    const q = await payClient(sim).orderQuery({ outTradeNo: no });
    expect(q.tradeState).toBe("SUCCESS");
    expect(q.openid).toBe(openidOf("bob"));
    // The sheet token is single-use, and a paid order cannot be paid again.
    expect((await post("/__sim/bridge/pay-confirm", { token: ok.token, action: "ok" })).result).toBe("fail");
    expect((await post("/__sim/bridge/pay-request", params)).message).toBe("该订单已支付");
  });
});
