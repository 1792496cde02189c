// The OAuth authorize page and the H5 cashier over plain HTTP (redirects, Referer rules, expiry), and the
// admin page. The browser test in e2e/ clicks through the same pages in Chromium.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { appendRedirectUrl } from "@wxpay/wechatpay";

import type { Simulator } from "../src/server";
import { openidOf, outTradeNo, payClient, platformClient, SANDBOX, startTestSim } from "./helpers";

let sim: Simulator;
beforeAll(async () => {
  sim = await startTestSim({ timeScale: 0 });
});
afterAll(() => sim.close());
beforeEach(() => sim.state.reset());

const official = { appId: SANDBOX.officialAppId, secret: SANDBOX.officialSecret };
const SITE = "http://localhost:3000";
const ANDROID =
  "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Mobile Safari/537.36";

function get(url: string, headers: Record<string, string> = {}) {
  return fetch(url, { redirect: "manual", headers });
}

describe("OAuth authorize page", () => {
  it("snsapi_base redirects at once, as WeChat does, for the browser's user: the first test user by default", async () => {
    const client = platformClient(sim);
    const authorize = client.oauthAuthorizeUrl({
      appId: official.appId,
      redirectUri: `${SITE}/api/wechat/oauth/callback?next=%2Fpay`,
      scope: "snsapi_base",
      state: "s1",
    });
    expect(authorize.startsWith(`${sim.url}/connect/oauth2/authorize?`)).toBe(true);
    const res = await get(authorize);
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get("location") ?? "");
    expect(location.origin + location.pathname).toBe(`${SITE}/api/wechat/oauth/callback`);
    expect(location.searchParams.get("next")).toBe("/pay");
    expect(location.searchParams.get("state")).toBe("s1");
    const token = await client.oauthAccessToken({
      ...official,
      code: location.searchParams.get("code") ?? "",
    });
    expect(token.openid).toBe(openidOf("alice"));
  });

  it("the browser's remembered user (a cookie the admin page sets) is who snsapi_base answers for", async () => {
    const client = platformClient(sim);
    const saved = await fetch(`${sim.url}/__sim/admin/browser-user`, {
      method: "POST",
      body: new URLSearchParams({ user: "bob" }),
      headers: { "content-type": "application/x-www-form-urlencoded" },
      redirect: "manual",
    });
    expect(saved.status).toBe(302);
    const cookie = (saved.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    expect(cookie).toBe("wxsim_user=bob");
    const authorize = client.oauthAuthorizeUrl({
      appId: official.appId,
      redirectUri: `${SITE}/cb`,
      scope: "snsapi_base",
      state: "s2",
    });
    const res = await get(authorize, { cookie });
    expect(res.status).toBe(302);
    const code = new URL(res.headers.get("location") ?? "").searchParams.get("code") ?? "";
    expect((await client.oauthAccessToken({ ...official, code })).openid).toBe(openidOf("bob"));
    // The admin page shows the choice; an explicit sim_user wins over it and is remembered.
    expect(await (await get(`${sim.url}/__sim/admin`, { cookie })).text()).toContain(
      '<option value="bob" selected>',
    );
    const explicit = await get(`${authorize.replace("#wechat_redirect", "")}&sim_user=alice`, { cookie });
    expect(explicit.headers.get("set-cookie")).toContain("wxsim_user=alice");
  });

  it("snsapi_userinfo asks for consent first", async () => {
    const url = `${sim.url}/connect/oauth2/authorize?appid=${official.appId}&redirect_uri=${encodeURIComponent(`${SITE}/cb`)}&response_type=code&scope=snsapi_userinfo&state=x&sim_user=alice`;
    const consent = await get(url);
    expect(consent.status).toBe(200);
    expect(await consent.text()).toContain("允许");
    const allowed = await get(`${url}&confirm=1`);
    expect(allowed.status).toBe(302);
  });

  it.each([
    ["an unknown appid", { appid: "wx0000000000000000" }, "appid参数错误"],
    ["a mini-program appid", { appid: SANDBOX.miniAppId }, "appid参数错误"],
    [
      "a redirect_uri outside the authorised domains",
      { redirect_uri: "https://evil.example/cb" },
      "redirect_uri域名与后台配置不一致，错误码:10003",
    ],
    ["an unknown scope", { scope: "snsapi_login" }, "scope参数错误或没有scope权限，错误码:10005"],
    ["a missing response_type", { response_type: "" }, "response_type参数错误"],
  ])("%s shows WeChat's error page", async (_name, over, message) => {
    const params = new URLSearchParams({
      appid: official.appId,
      redirect_uri: `${SITE}/cb`,
      response_type: "code",
      scope: "snsapi_base",
      state: "x",
      sim_user: "alice",
      ...over,
    });
    const res = await get(`${sim.url}/connect/oauth2/authorize?${params}`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain(message);
  });
});

describe("H5 cashier at mweb_url", () => {
  async function mweb(): Promise<{ url: string; outTradeNo: string }> {
    const no = outTradeNo();
    const r = await payClient(sim).unifiedOrder({
      tradeType: "MWEB",
      outTradeNo: no,
      body: "H5-测试商品",
      totalFeeFen: 1999,
      notifyUrl: "http://127.0.0.1:9/notify",
      spbillCreateIp: "203.0.113.9",
      sceneInfo: { type: "Wap", wapUrl: SITE, wapName: "测试" },
    });
    if (r.tradeType !== "MWEB") throw new Error("expected MWEB");
    return { url: r.mwebUrl, outTradeNo: no };
  }
  const errorOf = async (res: Response) =>
    /data-testid="wx-error-message">([^<]*)</.exec(await res.text())?.[1];

  it("without a Referer shows 商家参数格式有误，请联系商家解决", async () => {
    const { url } = await mweb();
    expect(await errorOf(await get(url, { "user-agent": ANDROID }))).toBe("商家参数格式有误，请联系商家解决");
  });

  it("from an unauthorised domain, or with an unauthorised redirect_url, shows 商家存在未配置的参数", async () => {
    const { url } = await mweb();
    expect(await errorOf(await get(url, { referer: "https://evil.example/pay" }))).toBe(
      "商家存在未配置的参数，请联系商家解决",
    );
    const withRedirect = appendRedirectUrl(url, "https://evil.example/result");
    expect(await errorOf(await get(withRedirect, { referer: `${SITE}/checkout` }))).toBe(
      "商家存在未配置的参数，请联系商家解决",
    );
  });

  it("inside WeChat shows 请在微信外打开订单，进行支付", async () => {
    const { url } = await mweb();
    const wechat = `${ANDROID} MicroMessenger/8.0.55.2780(0x28003737) NetType/WIFI`;
    expect(await errorOf(await get(url, { referer: `${SITE}/checkout`, "user-agent": wechat }))).toBe(
      "请在微信外打开订单，进行支付",
    );
  });

  it("after 5 minutes shows the expired page; a re-entry gives a fresh working mweb_url", async () => {
    const { url, outTradeNo: no } = await mweb();
    sim.clock.advance(5 * 60 * 1000);
    const expired = await get(url, { referer: `${SITE}/checkout` });
    const html = await expired.text();
    expect(html).toContain("页面已过期");
    expect(html).toContain("支付请求已失效，请重新发起支付");
    const again = await payClient(sim).unifiedOrder({
      tradeType: "MWEB",
      outTradeNo: no,
      body: "H5-测试商品",
      totalFeeFen: 1999,
      notifyUrl: "http://127.0.0.1:9/notify",
      spbillCreateIp: "203.0.113.9",
      sceneInfo: { type: "Wap", wapUrl: SITE, wapName: "测试" },
    });
    if (again.tradeType !== "MWEB") throw new Error("expected MWEB");
    expect(again.mwebUrl).not.toBe(url);
    expect((await get(again.mwebUrl, { referer: `${SITE}/checkout` })).status).toBe(200);
  });

  it("Pay, Cancel and Fail all return to redirect_url; only Pay makes the order SUCCESS", async () => {
    const client = payClient(sim);
    for (const [action, state] of [
      ["cancel", "NOTPAY"],
      ["fail", "PAYERROR"],
      ["ok", "SUCCESS"],
    ] as const) {
      const { url, outTradeNo: no } = await mweb();
      const target = appendRedirectUrl(url, `${SITE}/result?order=42`);
      const page = await get(target, { referer: `${SITE}/checkout` });
      const html = await page.text();
      expect(html).toContain("¥19.99");
      const form = new URLSearchParams();
      for (const m of html.matchAll(/<input type="hidden" name="(\w+)" value="([^"]*)">/g)) {
        form.set(m[1] ?? "", (m[2] ?? "").replace(/&amp;/g, "&").replace(/&quot;/g, '"'));
      }
      form.set("action", action);
      form.set("user", "bob");
      const done = await fetch(`${sim.url}/pay/h5cashier/act`, {
        method: "POST",
        body: form,
        redirect: "manual",
        headers: { "content-type": "application/x-www-form-urlencoded" },
      });
      expect(done.status).toBe(302);
      expect(done.headers.get("location")).toBe(`${SITE}/result?order=42`);
      const q = await client.orderQuery({ outTradeNo: no });
      expect(q.tradeState).toBe(state);
      if (q.tradeState === "SUCCESS") expect(q.openid).toBe(openidOf("bob"));
    }
  });
});

describe("Native scan page (what the WeChat app shows after scanning a code_url)", () => {
  async function nativeOrder(totalFeeFen = 2500): Promise<{ codeUrl: string; outTradeNo: string }> {
    const no = outTradeNo();
    const r = await payClient(sim).unifiedOrder({
      tradeType: "NATIVE",
      outTradeNo: no,
      body: "扫码-测试商品",
      totalFeeFen,
      notifyUrl: "http://127.0.0.1:9/notify",
      spbillCreateIp: "127.0.0.1",
      productId: "sku-1",
    });
    if (r.tradeType !== "NATIVE") throw new Error("expected NATIVE");
    return { codeUrl: r.codeUrl, outTradeNo: no };
  }
  const scanUrl = (codeUrl: string) => `${sim.url}/pay/scan?code_url=${encodeURIComponent(codeUrl)}`;
  const act = (codeUrl: string, action: string, user: string) =>
    fetch(`${sim.url}/pay/scan/act`, {
      method: "POST",
      body: new URLSearchParams({ code_url: codeUrl, action, user }),
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });

  it("shows the order opened by its code_url; 支付 pays it as the chosen user, after which the code is spent", async () => {
    const { codeUrl, outTradeNo: no } = await nativeOrder();
    const html = await (await get(scanUrl(codeUrl))).text();
    expect(html).toContain('data-testid="native-scan"');
    expect(html).toContain("扫码-测试商品");
    expect(html).toContain("¥25.00");
    const cancelled = await act(codeUrl, "cancel", "bob");
    expect(await cancelled.text()).toContain('data-result="cancel"');
    expect((await payClient(sim).orderQuery({ outTradeNo: no })).tradeState).toBe("NOTPAY");
    const paid = await act(codeUrl, "ok", "bob");
    expect(await paid.text()).toContain('data-result="ok"');
    const q = await payClient(sim).orderQuery({ outTradeNo: no });
    expect(q.tradeState).toBe("SUCCESS");
    if (q.tradeState === "SUCCESS") expect(q.openid).toBe(openidOf("bob"));
    expect(await (await get(scanUrl(codeUrl))).text()).toContain("该订单已支付，请勿重复支付");
  });

  it("an unknown code, one past its 2 hours, or one of a closed order cannot be paid", async () => {
    expect(await (await get(scanUrl("weixin://wxpay/bizpayurl?pr=nothing"))).text()).toContain(
      "无效的二维码",
    );
    const { codeUrl } = await nativeOrder();
    sim.clock.advance(2 * 60 * 60 * 1000);
    expect(await (await get(scanUrl(codeUrl))).text()).toContain("二维码已失效");
  });
});

describe("admin page and control API", () => {
  it("lists orders and notify attempts with the merchant's reply", async () => {
    const no = outTradeNo();
    await payClient(sim).unifiedOrder({
      tradeType: "JSAPI",
      outTradeNo: no,
      body: "后台",
      totalFeeFen: 1,
      notifyUrl: "http://127.0.0.1:9/notify",
      spbillCreateIp: "127.0.0.1",
      openid: openidOf("alice"),
    });
    await fetch(`${sim.url}/__sim/pay`, { method: "POST", body: JSON.stringify({ outTradeNo: no }) });
    await new Promise((r) => setTimeout(r, 50));
    const html = await (await fetch(`${sim.url}/`)).text();
    expect(html).toContain(no);
    expect(html).toContain("NETWORK_ERROR");
    const notifies = (await (await fetch(`${sim.url}/__sim/notifies?outTradeNo=${no}`)).json()) as {
      attempts: unknown[];
    }[];
    expect(notifies[0]?.attempts).toHaveLength(1);
  });

  it("answers bad control input with 400 and unknown routes with 404, with CORS headers", async () => {
    const bad = await fetch(`${sim.url}/__sim/faults`, {
      method: "POST",
      body: JSON.stringify({ scope: {}, rule: { drop: "yes" } }),
    });
    expect(bad.status).toBe(400);
    expect(bad.headers.get("access-control-allow-origin")).toBe("*");
    expect((await fetch(`${sim.url}/__sim/nope`)).status).toBe(404);
    expect((await fetch(`${sim.url}/__sim/users`, { method: "POST", body: "not json" })).status).toBe(400);
    const pre = await fetch(`${sim.url}/__sim/bridge/config`, { method: "OPTIONS" });
    expect(pre.status).toBe(204);
  });
});
