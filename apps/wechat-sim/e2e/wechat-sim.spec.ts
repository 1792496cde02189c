// In Chromium: the H5 cashier reached from a shop page, the OAuth page, and the bridge script on a plain page
// driving the real weixin-js-sdk (wx.config + chooseWXPay) and raw WeixinJSBridge.invoke.
import { expect, test, type Page } from "@playwright/test";

import {
  chooseWXPayParams,
  createPayClient,
  createPlatformClient,
  jsapiPayParams,
  jsSdkSignature,
  nonceStr,
} from "@wxpay/wechatpay";
import { MOBILE_BROWSER_UA, WECHAT_ANDROID_UA } from "@wxpay/testkit/playwright";

import { SANDBOX } from "../src/defaults";
import { startSimulator, type Simulator } from "../src/server";
import { openidFor } from "../src/state";
import { startShop } from "./shop";

let sim: Simulator;
let shop: Awaited<ReturnType<typeof startShop>>;

test.beforeAll(async () => {
  sim = await startSimulator({ port: 0, log: false });
  shop = await startShop(sim.url);
});
test.afterAll(async () => {
  await shop.close();
  await sim.close();
});

const pay = () =>
  createPayClient({
    baseUrl: sim.url,
    mchId: SANDBOX.mchId,
    key: SANDBOX.key,
    signType: "MD5",
    appId: SANDBOX.officialAppId,
  });
const outTradeNo = () => `E2E${Date.now()}${Math.random().toString(36).slice(2, 8)}`;

async function offline(page: Page) {
  // Only the simulator and the shop exist: anything else (e.g. open.weixin.qq.com beacons) is refused.
  await page.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (route) => route.abort());
}

test.describe("H5 cashier (mobile browser)", () => {
  test.use({ userAgent: MOBILE_BROWSER_UA });

  async function mwebOrder() {
    const no = outTradeNo();
    const r = await pay().unifiedOrder({
      tradeType: "MWEB",
      outTradeNo: no,
      body: "H5-浏览器测试",
      totalFeeFen: 2550,
      notifyUrl: `${shop.origin}/notify`,
      spbillCreateIp: "127.0.0.1",
      sceneInfo: { type: "Wap", wapUrl: shop.origin, wapName: "测试商城" },
    });
    if (r.tradeType !== "MWEB") throw new Error("expected MWEB");
    const redirect = `${shop.origin}/result?order=${no}`;
    shop.data.mwebUrl = `${r.mwebUrl}&redirect_url=${encodeURIComponent(redirect)}`;
    return no;
  }

  test("pay from the shop's page: cashier, 支付, back to redirect_url, order SUCCESS and notify acknowledged", async ({
    page,
  }) => {
    await offline(page);
    const no = await mwebOrder();
    await page.goto(`${shop.origin}/checkout`);
    await page.click("#go");
    await expect(page.getByTestId("h5-cashier")).toBeVisible();
    await expect(page.getByTestId("cashier-amount")).toHaveText("¥25.50");
    await page.getByTestId("cashier-user").selectOption("bob");
    await page.getByTestId("cashier-pay").click();
    await expect(page).toHaveURL(`${shop.origin}/result?order=${no}`);
    await expect(page.locator("#result")).toHaveText("支付结果确认中");
    const q = await pay().orderQuery({ outTradeNo: no });
    expect(q.tradeState).toBe("SUCCESS");
    expect(q.openid).toBe(openidFor(SANDBOX.officialAppId, "bob"));
    await expect.poll(() => shop.notifies.some((n) => n.includes(no))).toBe(true);
    await expect.poll(() => sim.state.notifyJobs.find((j) => j.outTradeNo === no)?.status).toBe("delivered");
  });

  test("取消 also returns to redirect_url and leaves the order unpaid", async ({ page }) => {
    await offline(page);
    const no = await mwebOrder();
    await page.goto(`${shop.origin}/checkout`);
    await page.click("#go");
    await page.getByTestId("cashier-cancel").click();
    await expect(page).toHaveURL(`${shop.origin}/result?order=${no}`);
    expect((await pay().orderQuery({ outTradeNo: no })).tradeState).toBe("NOTPAY");
  });

  test("opening mweb_url directly (no Referer) shows 商家参数格式有误", async ({ page }) => {
    await offline(page);
    await mwebOrder();
    await page.goto(shop.data.mwebUrl ?? "");
    await expect(page.getByTestId("wx-error-message")).toHaveText("商家参数格式有误，请联系商家解决");
  });
});

test.describe("Native scan page (the WeChat app after 扫一扫)", () => {
  test("a code_url opened on the scan page is paid by the chosen test user", async ({ page }) => {
    await offline(page);
    const no = outTradeNo();
    const r = await pay().unifiedOrder({
      tradeType: "NATIVE",
      outTradeNo: no,
      body: "扫码-浏览器测试",
      totalFeeFen: 1200,
      notifyUrl: `${shop.origin}/notify`,
      spbillCreateIp: "127.0.0.1",
      productId: "sku-1",
    });
    if (r.tradeType !== "NATIVE") throw new Error("expected NATIVE");
    await page.goto(`${sim.url}/pay/scan?code_url=${encodeURIComponent(r.codeUrl)}`);
    await expect(page.getByTestId("scan-amount")).toHaveText("¥12.00");
    await page.getByTestId("scan-user").selectOption("bob");
    await page.getByTestId("scan-pay").click();
    await expect(page.getByTestId("scan-result")).toHaveAttribute("data-result", "ok");
    const q = await pay().orderQuery({ outTradeNo: no });
    expect(q.tradeState).toBe("SUCCESS");
    if (q.tradeState === "SUCCESS") expect(q.openid).toBe(openidFor(SANDBOX.officialAppId, "bob"));
  });
});

test.describe("inside WeChat", () => {
  test.use({ userAgent: WECHAT_ANDROID_UA });

  test("the OAuth page: snsapi_base redirects at once with a code for the browser's WeChat user", async ({
    page,
  }) => {
    await offline(page);
    const platform = createPlatformClient({ baseUrl: sim.url, openBaseUrl: sim.url });
    await page.goto(
      platform.oauthAuthorizeUrl({
        appId: SANDBOX.officialAppId,
        redirectUri: `${shop.origin}/cb`,
        scope: "snsapi_base",
        state: "st8",
      }),
    );
    // WeChat asks nothing for the base scope; the browser is the first test user unless the admin page says otherwise.
    await expect(page.locator("#state")).toHaveText("st8");
    const code = (await page.locator("#code").textContent()) ?? "";
    const token = await platform.oauthAccessToken({
      appId: SANDBOX.officialAppId,
      secret: SANDBOX.officialSecret,
      code,
    });
    expect(token.openid).toBe(openidFor(SANDBOX.officialAppId, "alice"));

    // The admin page says which test user this browser is; the next authorisation is for that user.
    await page.goto(`${sim.url}/__sim/admin`);
    await page.getByTestId("browser-user").selectOption("bob");
    await page.getByTestId("browser-user-save").click();
    await expect(page.getByTestId("browser-user")).toHaveValue("bob");
    await page.goto(
      platform.oauthAuthorizeUrl({
        appId: SANDBOX.officialAppId,
        redirectUri: `${shop.origin}/cb`,
        scope: "snsapi_base",
        state: "st9",
      }),
    );
    await expect(page.locator("#state")).toHaveText("st9");
    const bobs = await platform.oauthAccessToken({
      appId: SANDBOX.officialAppId,
      secret: SANDBOX.officialSecret,
      code: (await page.locator("#code").textContent()) ?? "",
    });
    expect(bobs.openid).toBe(openidFor(SANDBOX.officialAppId, "bob"));
  });

  async function jsapiPage(page: Page, opts: { badSignature?: boolean } = {}) {
    const platform = createPlatformClient({ baseUrl: sim.url });
    const { accessToken } = await platform.getAccessToken({
      appId: SANDBOX.officialAppId,
      secret: SANDBOX.officialSecret,
    });
    const { ticket } = await platform.getJsapiTicket({ accessToken });
    const pageUrl = `${shop.origin}/jsapi/?from=e2e`;
    const timestamp = String(Math.floor(Date.now() / 1000));
    const nonce = nonceStr(16);
    const signature = jsSdkSignature({
      jsapiTicket: ticket,
      nonceStr: nonce,
      timestamp,
      url: opts.badSignature ? `${pageUrl}&x=1` : pageUrl,
    });
    const no = outTradeNo();
    const order = await pay().unifiedOrder({
      tradeType: "JSAPI",
      outTradeNo: no,
      body: "公众号-浏览器测试",
      totalFeeFen: 1,
      notifyUrl: `${shop.origin}/notify`,
      spbillCreateIp: "127.0.0.1",
      openid: openidFor(SANDBOX.officialAppId, "alice"),
    });
    const input = {
      appId: SANDBOX.officialAppId,
      prepayId: order.prepayId,
      key: SANDBOX.key,
      signType: "MD5" as const,
    };
    shop.data.config = {
      appId: SANDBOX.officialAppId,
      timestamp,
      nonceStr: nonce,
      signature,
      jsApiList: ["chooseWXPay"],
    };
    shop.data.chooseWXPay = chooseWXPayParams(input);
    shop.data.bridgePay = jsapiPayParams(input);
    await page.goto(`${pageUrl}#/cart`);
    return no;
  }
  const results = (page: Page) => page.evaluate(() => (window as unknown as { results: string[] }).results);

  test("wx.config verifies against the page URL; chooseWXPay shows the pay sheet and 支付 pays the order", async ({
    page,
  }) => {
    await offline(page);
    const no = await jsapiPage(page);
    await expect.poll(() => results(page)).toEqual(["ready"]);
    await page.click("#choose");
    await expect(page.getByTestId("wxsim-amount")).toHaveText("¥0.01");
    await page.getByTestId("wxsim-pay").click();
    await expect.poll(() => results(page)).toEqual(["ready", "chooseWXPay:ok"]);
    expect((await pay().orderQuery({ outTradeNo: no })).tradeState).toBe("SUCCESS");
    const calls = await page.evaluate(() =>
      (window as unknown as { __WXSIM_CALLS: { name: string }[] }).__WXSIM_CALLS.map((c) => c.name),
    );
    expect(calls).toContain("preVerifyJSAPI");
    expect(calls).toContain("getBrandWCPayRequest");
  });

  test("a signature over another URL fails wx.config with config:invalid signature and chooseWXPay is denied", async ({
    page,
  }) => {
    await offline(page);
    const no = await jsapiPage(page, { badSignature: true });
    await expect.poll(() => results(page)).toContain("error config:invalid signature");
    await page.click("#choose");
    await expect.poll(() => results(page)).toContain("chooseWXPay:permission denied");
    expect((await pay().orderQuery({ outTradeNo: no })).tradeState).toBe("NOTPAY");
  });

  test("raw getBrandWCPayRequest: 取消 on the sheet, __WXSIM_AUTO answers, and a forged paySign is refused", async ({
    page,
  }) => {
    await offline(page);
    const no = await jsapiPage(page);
    await page.click("#raw");
    await page.getByTestId("wxsim-cancel").click();
    await expect.poll(() => results(page)).toContain("get_brand_wcpay_request:cancel");
    await page.evaluate(() => ((window as unknown as { __WXSIM_AUTO: string }).__WXSIM_AUTO = "fail"));
    await page.click("#raw");
    await expect.poll(() => results(page)).toContain("get_brand_wcpay_request:fail");
    expect((await pay().orderQuery({ outTradeNo: no })).tradeState).toBe("PAYERROR");
    await page.evaluate(() => {
      const w = window as unknown as { __WXSIM_AUTO?: string; data: { bridgePay: { paySign: string } } };
      delete w.__WXSIM_AUTO;
      w.data.bridgePay.paySign = "0".repeat(32);
    });
    await page.click("#raw");
    await expect(page.getByTestId("wxsim-error")).toHaveText("支付验证签名失败");
    await page.getByTestId("wxsim-error-ok").click();
    await expect
      .poll(async () => (await results(page)).filter((r) => r === "get_brand_wcpay_request:fail").length)
      .toBe(2);
  });
});
