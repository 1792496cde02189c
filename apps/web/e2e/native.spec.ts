// NATIVE: a desktop browser shows the order's code_url as a QR code; the shopper scans it with WeChat (the
// simulator's scan page) and pays there, while the desktop page asks orderStatus until the server knows the result.
import type { Browser, Page } from "@playwright/test";
import { devices, expect, test } from "@playwright/test";
import { renderSVG } from "uqr";

import {
  apiVersion,
  buyNow,
  expectResultStatus,
  keepScreenshot,
  sim,
  SIM_URL,
  simTradesFor,
} from "./support";

// The desktop browser for every test here (a phone, where one is needed, is a context of its own).
const { defaultBrowserType: _browserType, ...desktopChrome } = devices["Desktop Chrome"];
test.use(desktopChrome);

const phone = (browser: Browser) => browser.newContext({ ...devices["Pixel 7"], locale: "zh-CN" });

/** The desktop pay page's QR code: the code_url it encodes, checked against the simulator's own trade. */
async function nativeCodeUrl(page: Page, orderId: string): Promise<string> {
  const qr = page.getByTestId("native-qr");
  await expect(qr).toBeVisible();
  const codeUrl = (await qr.getAttribute("data-code-url")) ?? "";
  expect(codeUrl).toMatch(/^weixin:\/\/wxpay\/bizpayurl\?pr=/);
  // The SVG is that URL's QR code: the same encoder with the same options draws exactly these shapes.
  const expected = /<path fill="black" d="([^"]+)"/.exec(renderSVG(codeUrl, { border: 2, ecc: "M" }))?.[1];
  expect(expected).toBeTruthy();
  expect(await qr.locator("svg path").getAttribute("d")).toBe(expected);
  const trades = await simTradesFor(orderId);
  expect(trades.map((t) => [t.tradeType, t.apiVersion])).toEqual([["NATIVE", apiVersion()]]);
  return codeUrl;
}

test("the desktop pay page shows a QR code; paid on the phone, the page turns PAID by itself", async ({
  page,
  browser,
}) => {
  const orderId = await buyNow(page);
  await expect(page.getByTestId("native-amount")).toHaveText("¥0.01");
  await expect(page.getByTestId("native-pay")).toContainText(
    "请打开手机微信，使用「扫一扫」扫描二维码完成支付",
  );
  await expect(page.getByTestId("native-validity")).toContainText("2 小时内有效");
  await expect(page.getByTestId("native-state")).toHaveAttribute("data-state", "waiting");
  await expect(page.getByTestId("poll-state")).toContainText("等待支付中");
  const codeUrl = await nativeCodeUrl(page, orderId);
  await keepScreenshot(page, "pay-page-native");

  // WeChat on the phone: 扫一扫 opens the code, the shopper pays.
  const wechat = await phone(browser);
  const scan = await wechat.newPage();
  await scan.goto(`${SIM_URL}/pay/scan?code_url=${encodeURIComponent(codeUrl)}`);
  await expect(scan.getByTestId("scan-amount")).toHaveText("¥0.01");
  await keepScreenshot(scan, "sim-native-scan");
  await scan.getByTestId("scan-pay").click();
  await expect(scan.getByTestId("scan-result")).toHaveAttribute("data-result", "ok");
  await wechat.close();

  // Nobody touches the desktop page: it learns the outcome from the server and opens the result page.
  await page.waitForURL(`**/orders/${orderId}/result`, { timeout: 30_000 });
  await expectResultStatus(page, "PAID");
  await expect(page.getByTestId("status-title")).toHaveText("支付成功");
  await keepScreenshot(page, "result-paid-native");
  const [trade] = await simTradesFor(orderId);
  expect(trade?.tradeState).toBe("SUCCESS");

  // The same code cannot be paid twice.
  const again = await page.context().newPage();
  await again.goto(`${SIM_URL}/pay/scan?code_url=${encodeURIComponent(codeUrl)}`);
  await expect(again.getByTestId("scan-pay")).toHaveCount(0);
});

test("a cancelled scan leaves the order waiting; the same code still pays, and a reload shows the same code", async ({
  page,
  browser,
}) => {
  const orderId = await buyNow(page);
  const codeUrl = await nativeCodeUrl(page, orderId);

  const wechat = await phone(browser);
  const scan = await wechat.newPage();
  await scan.goto(`${SIM_URL}/pay/scan?code_url=${encodeURIComponent(codeUrl)}`);
  await scan.getByTestId("scan-cancel").click();
  await expect(scan.getByTestId("scan-result")).toHaveAttribute("data-result", "cancel");
  await wechat.close();

  // A few polls later the desktop page still waits, still shows the code, and the order is unpaid.
  await page.waitForResponse((r) => r.url().includes("/api/trpc/orderStatus"));
  await page.waitForResponse((r) => r.url().includes("/api/trpc/orderStatus"));
  await expect(page.getByTestId("native-state")).toHaveAttribute("data-state", "waiting");
  expect(new URL(page.url()).pathname).toBe(`/orders/${orderId}`);
  const [trade] = await simTradesFor(orderId);
  expect(trade?.tradeState).toBe("NOTPAY");
  await keepScreenshot(page, "pay-page-native-after-cancel");

  // A reload does not replace the code the shopper may be scanning (a re-order would invalidate it).
  await page.reload();
  expect(await nativeCodeUrl(page, orderId)).toBe(codeUrl);

  // Scanned again and paid this time (the control API is WeChat's app here): the page moves on by itself.
  const paid = await sim.scan({ codeUrl });
  expect(paid.order.tradeState).toBe("SUCCESS");
  await page.waitForURL(`**/orders/${orderId}/result`, { timeout: 30_000 });
  await expectResultStatus(page, "PAID");
});

test("换个方式：在手机上继续 still hands the order to a phone, and the desktop page sees it paid there", async ({
  page,
  browser,
}) => {
  const orderId = await buyNow(page);
  await nativeCodeUrl(page, orderId);
  const link = page.getByTestId("order-link");
  await expect(link).toBeHidden();
  await page.getByText("换个方式：在手机上继续").click();
  await expect(link).toBeVisible();
  await expect(page.getByTestId("desktop-notice")).toContainText("2 分钟内有效");
  await keepScreenshot(page, "pay-page-native-phone-choice");
  const href = (await link.textContent()) ?? "";
  expect(href).toContain("/api/orders/handoff?t=");

  // The phone (a mobile browser outside WeChat) opens the link and pays with H5 in WeChat's cashier.
  const mobile = await phone(browser);
  const p = await mobile.newPage();
  await p.goto(href);
  await p.waitForURL(`**/orders/${orderId}`);
  await p.getByTestId("pay-button").click();
  await p.getByTestId("cashier-pay").click();
  await p.waitForURL(`**/orders/${orderId}/result`);
  await expectResultStatus(p, "PAID");
  await mobile.close();

  await page.waitForURL(`**/orders/${orderId}/result`, { timeout: 30_000 });
  await expectResultStatus(page, "PAID");
});
