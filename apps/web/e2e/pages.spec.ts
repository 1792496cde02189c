// The shop's other pages and states: my orders, a desktop browser, an order that is not yours, and the
// developer's "as WeChat" mode (absent from a production build).
import { devices, expect, test } from "@playwright/test";

import { buyNow, keepScreenshot } from "./support";

test("my orders lists this browser's orders, newest first, with their status", async ({ page }) => {
  const first = await buyNow(page);
  const second = await buyNow(page, "CUP-CELADON");
  await page.goto("/orders");
  const rows = page.getByTestId("order-list").locator("li");
  await expect(rows.first()).toHaveAttribute("data-order-id", second);
  await expect(page.locator(`[data-order-id="${first}"]`)).toContainText("待支付");
  await expect(page.locator(`[data-order-id="${second}"]`)).toContainText("龙泉青瓷品茗杯 ×1");
  await expect(page.locator(`[data-order-id="${second}"]`)).toContainText("¥59.00");
  await keepScreenshot(page, "my-orders");

  await page.locator(`[data-order-id="${second}"] a`).click();
  await expect(page).toHaveURL(new RegExp(`/orders/${second}$`));
});

test("a fresh browser has no orders and cannot open someone else's", async ({ page, browser }) => {
  const orderId = await buyNow(page);
  const stranger = await browser.newContext({ ...devices["Pixel 7"], locale: "zh-CN" });
  const other = await stranger.newPage();
  await other.goto("/orders");
  await expect(other.getByTestId("no-orders")).toBeVisible();
  await keepScreenshot(other, "my-orders-empty");
  for (const path of [`/orders/${orderId}`, `/orders/${orderId}/result`]) {
    await other.goto(path);
    await expect(other.getByTestId("order-problem")).toContainText("没有找到这笔订单");
    await expect(other.getByTestId("order-problem")).not.toContainText("NOT_FOUND");
  }
  await keepScreenshot(other, "order-not-found");
  await stranger.close();
});

test("a desktop browser is offered WeChat's QR code first and a phone second, with the order link and its QR code", async ({
  page,
  browser,
}) => {
  // Desktop Chrome: the order is placed on a phone first (same session), then opened on the desktop.
  const orderId = await buyNow(page);
  const desktop = await browser.newContext({ ...devices["Desktop Chrome"], locale: "zh-CN" });
  await desktop.addCookies(await page.context().cookies());
  const d = await desktop.newPage();
  await d.goto(`/orders/${orderId}`);
  await expect(d.getByTestId("native-qr")).toBeVisible();
  const notice = d.getByTestId("desktop-notice");
  await expect(notice).toBeHidden();
  await d.getByText("换个方式：在手机上继续").click();
  await expect(notice).toContainText("在手机上继续支付");
  await expect(d.getByTestId("order-link")).toContainText("/api/orders/handoff?t=");
  await expect(notice.locator(".qr svg")).toBeVisible();
  await expect(d.getByTestId("pay-button")).toHaveCount(0);
  await keepScreenshot(d, "pay-page-desktop");

  // A phone that never saw this shop scans the code: it continues the same order and can pay.
  const handoff = (await d.getByTestId("order-link").textContent()) ?? "";
  const phone = await browser.newContext({ ...devices["Pixel 7"], locale: "zh-CN" });
  const p = await phone.newPage();
  await p.goto(handoff);
  await p.waitForURL(`**/orders/${orderId}`);
  await expect(p.getByTestId("pay-button")).toBeVisible();
  // A tampered link gives nothing away.
  const stranger = await browser.newContext({ ...devices["Pixel 7"], locale: "zh-CN" });
  const q = await stranger.newPage();
  await q.goto(`${handoff.slice(0, -3)}abc`);
  await expect(q.getByTestId("handoff-invalid")).toBeVisible();
  await q.goto(`/orders/${orderId}`);
  await expect(q.getByTestId("pay-button")).toHaveCount(0);
  await Promise.all([desktop.close(), phone.close(), stranger.close()]);
});

test("the developer's 'as WeChat' mode does not exist in a production build, even against the simulator", async ({
  browser,
}) => {
  const desktop = await browser.newContext({ ...devices["Desktop Chrome"], locale: "zh-CN" });
  const page = await desktop.newPage();
  const res = await page.goto("/dev/as-wechat?on=1&to=/");
  expect(res?.status()).toBe(404);
  // Its cookie, set by hand, changes nothing either: no banner, no bridge, no JSAPI.
  await desktop.addCookies([{ name: "wxpay_as_wechat", value: "1", url: page.url() }]);
  await page.goto("/");
  await expect(page.getByTestId("as-wechat-banner")).toHaveCount(0);
  await expect(page.getByText("以微信内置浏览器身份打开")).toHaveCount(0);
  await desktop.close();
});
