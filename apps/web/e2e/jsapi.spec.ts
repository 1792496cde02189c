// JSAPI inside WeChat's browser (the simulator's bridge stands in for the WeChat client): silent OAuth for
// the openid, wx.config checked by the simulator against the page URL, wx.chooseWXPay, then the result page.
import type { Page } from "@playwright/test";
import { devices, expect, test } from "@playwright/test";

import {
  apiVersion,
  buyNow,
  expectResultStatus,
  keepScreenshot,
  oauthRoundTrip,
  sim,
  simTradesFor,
  useWechatUser,
  WECHAT_ANDROID_UA,
} from "./support";

test.use({ userAgent: WECHAT_ANDROID_UA });

/** Whether the page's wx.config was accepted (the bridge records every call; the pay button is enabled). */
async function expectSdkReady(page: Page): Promise<void> {
  const button = page.getByTestId("pay-button");
  await expect(button).toBeEnabled();
  await expect(page.getByTestId("pay-panel")).toHaveAttribute("data-phase", "idle");
  const calls = await page.evaluate(
    () => (window as unknown as { __WXSIM_CALLS?: { name: string }[] }).__WXSIM_CALLS ?? [],
  );
  expect(calls.map((c) => c.name)).toContain("preVerifyJSAPI");
}

/**
 * The first pay page in WeChat sends the shopper through snsapi_base OAuth, which WeChat (and the simulator)
 * answers with an immediate redirect back to the page: the shopper sees nothing.
 */
async function passOAuth(page: Page, orderId: string, roundTrip: Promise<void>): Promise<void> {
  await roundTrip;
  await page.waitForURL(new RegExp(`/orders/${orderId}$`));
}

test("OAuth round trip, wx.config accepted, chooseWXPay: PAID", async ({ page }) => {
  const oauth = oauthRoundTrip(page);
  const orderId = await buyNow(page);
  // No openid in the session yet: snsapi_base OAuth, which comes back to this very page at once.
  await passOAuth(page, orderId, oauth);
  await expectSdkReady(page);
  await keepScreenshot(page, "pay-page-wechat");

  await page.getByTestId("pay-button").click();
  await expect(page.getByTestId("wxsim-paysheet")).toBeVisible();
  await expect(page.getByTestId("wxsim-amount")).toContainText("0.01");
  await keepScreenshot(page, "sim-wechat-paysheet");
  await page.getByTestId("wxsim-pay").click();

  await page.waitForURL(`**/orders/${orderId}/result`);
  await expectResultStatus(page, "PAID");
  await keepScreenshot(page, "result-paid-wechat");
  const [trade] = await simTradesFor(orderId);
  expect(trade?.tradeType).toBe("JSAPI");
  expect(trade?.apiVersion).toBe(apiVersion());
  expect(trade?.tradeState).toBe("SUCCESS");
  // The simulator's default WeChat user for a browser is its first test user.
  const [alice] = (await sim.users()).filter((u) => u.userId === "alice");
  expect(trade?.openid).toBe(alice?.openids[trade?.appId ?? ""]);
});

test("the browser's WeChat user is the one the simulator remembers: bob pays as bob", async ({ page }) => {
  await useWechatUser(page, "bob");
  const oauth = oauthRoundTrip(page);
  const orderId = await buyNow(page);
  await passOAuth(page, orderId, oauth);
  await expectSdkReady(page);
  await page.getByTestId("pay-button").click();
  await page.getByTestId("wxsim-pay").click();
  await page.waitForURL(`**/orders/${orderId}/result`);
  await expectResultStatus(page, "PAID");
  const [trade] = await simTradesFor(orderId);
  const [bob] = (await sim.users()).filter((u) => u.userId === "bob");
  expect(trade?.openid).toBe(bob?.openids[trade?.appId ?? ""]);
});

test("cancel in WeChat's pay sheet: the order is still waiting for payment", async ({ page }) => {
  const oauth = oauthRoundTrip(page);
  const orderId = await buyNow(page);
  await passOAuth(page, orderId, oauth);
  await expectSdkReady(page);
  await page.getByTestId("pay-button").click();
  await page.getByTestId("wxsim-cancel").click();

  await expect(page.getByTestId("not-paid")).toContainText("你已取消支付");
  await expect(page.getByTestId("pay-button")).toBeEnabled();
  await keepScreenshot(page, "pay-page-wechat-cancelled");
  await page.goto(`/orders/${orderId}/result`);
  await expectResultStatus(page, "PENDING");
  await expect(page.getByTestId("repay-link")).toHaveAttribute("href", `/orders/${orderId}`);
  const trades = await simTradesFor(orderId);
  expect(trades.every((t) => t.tradeState !== "SUCCESS")).toBe(true);
});

test("started in H5, finished in WeChat: paid once, PAID once", async ({ page, browser }) => {
  // A mobile browser outside WeChat (same shopper, same session cookie) opens WeChat's H5 cashier and leaves.
  const mobile = await browser.newContext({ ...devices["Pixel 7"], locale: "zh-CN" });
  const h5 = await mobile.newPage();
  const orderId = await buyNow(h5);
  await h5.getByTestId("pay-button").click();
  await expect(h5.getByTestId("h5-cashier")).toBeVisible();

  // The same shopper finishes inside WeChat.
  await page.context().addCookies(await mobile.cookies());
  const oauth = oauthRoundTrip(page);
  await page.goto(`/orders/${orderId}`);
  await passOAuth(page, orderId, oauth);
  await expectSdkReady(page);
  await page.getByTestId("pay-button").click();
  await page.getByTestId("wxsim-pay").click();
  await page.waitForURL(`**/orders/${orderId}/result`);
  await expectResultStatus(page, "PAID");

  // WeChat holds one trade per attempt: the MWEB one the shopper left unpaid, and the paid JSAPI one. The unpaid
  // one is closed by reconciliation once WeChat allows closeorder (5 minutes after its creation).
  const trades = await simTradesFor(orderId);
  expect(trades.map((t) => t.tradeType).sort()).toEqual(["JSAPI", "MWEB"]);
  expect(trades.filter((t) => t.tradeState === "SUCCESS").map((t) => t.tradeType)).toEqual(["JSAPI"]);
  await h5.goto(`/orders/${orderId}/result`);
  await expectResultStatus(h5, "PAID");
  await mobile.close();
});
