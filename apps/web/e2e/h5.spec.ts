// H5 (MWEB): a mobile browser outside WeChat pays in WeChat's H5 cashier (the simulator's) and comes back to
// the result page, which shows what the server knows and never marks anything paid by itself.
import { expect, test } from "@playwright/test";

import {
  apiVersion,
  buyNow,
  expectResultStatus,
  keepScreenshot,
  letMwebUrlExpire,
  sim,
  SIM_URL,
  simTradesFor,
} from "./support";

test.afterEach(async () => {
  await sim.clearFaults();
});

test("pay in the cashier, back on the result page: PAID through the notify", async ({ page }) => {
  const orderId = await buyNow(page);
  await expect(page.getByTestId("order-total")).toHaveText("¥0.01");
  await keepScreenshot(page, "pay-page-h5");

  await page.getByTestId("pay-button").click();
  // A real navigation from the shop's page: the cashier sees the shop as Referer (else 商家参数格式有误).
  await expect(page.getByTestId("h5-cashier")).toBeVisible();
  expect(page.url().startsWith(SIM_URL)).toBe(true);
  await keepScreenshot(page, "sim-h5-cashier");
  await page.getByTestId("cashier-pay").click();

  await page.waitForURL(`**/orders/${orderId}/result`);
  await expectResultStatus(page, "PAID");
  await expect(page.getByTestId("status-title")).toHaveText("支付成功");
  await keepScreenshot(page, "result-paid");

  const [trade] = await simTradesFor(orderId);
  expect(trade?.tradeType).toBe("MWEB");
  expect(trade?.apiVersion).toBe(apiVersion());
  expect(trade?.tradeState).toBe("SUCCESS");
  // Settled by the notify: the simulator delivered it and took the shop's answer as SUCCESS (v2: the XML reply; v3:
  // a 2xx status).
  const notifies = await sim.notifies({ outTradeNo: trade?.outTradeNo, kind: "pay" });
  expect(notifies[0]?.attempts.some((a) => a.outcome === "SUCCESS")).toBe(true);
  if (apiVersion() === "v2")
    expect(notifies[0]?.attempts.some((a) => a.reply?.includes("SUCCESS"))).toBe(true);
});

test("cancel in the cashier: still pending, with 已完成支付 and 重新支付; paying again works", async ({
  page,
}) => {
  const orderId = await buyNow(page);
  await page.getByTestId("pay-button").click();
  await page.getByTestId("cashier-cancel").click();

  await page.waitForURL(`**/orders/${orderId}/result`);
  await expectResultStatus(page, "PENDING");
  await expect(page.getByTestId("status-title")).toHaveText("等待支付结果");
  const checkPaid = page.getByRole("button", { name: "已完成支付" });
  const payAgain = page.getByRole("button", { name: "重新支付" });
  await expect(checkPaid).toBeVisible();
  await expect(payAgain).toBeVisible();
  await keepScreenshot(page, "result-pending");

  // "I have paid" asks the server again; it still says pending, and the page says so.
  await checkPaid.click();
  await expect(page.getByTestId("poll-state")).toContainText("暂未查到付款");
  await expectResultStatus(page, "PENDING");

  await payAgain.click();
  await expect(page.getByTestId("h5-cashier")).toBeVisible();
  await page.getByTestId("cashier-pay").click();
  await page.waitForURL(`**/orders/${orderId}/result`);
  await expectResultStatus(page, "PAID");
  const trades = await simTradesFor(orderId);
  expect(trades.filter((t) => t.tradeState === "SUCCESS")).toHaveLength(1);
});

test("notify dropped by WeChat: the result page still reaches PAID through orderStatus' query", async ({
  page,
}) => {
  await sim.setFault({}, { drop: true });
  const orderId = await buyNow(page);
  await page.getByTestId("pay-button").click();
  await page.getByTestId("cashier-pay").click();
  await page.waitForURL(`**/orders/${orderId}/result`);
  await expectResultStatus(page, "PAID");

  const [trade] = await simTradesFor(orderId);
  const notifies = await sim.notifies({ outTradeNo: trade?.outTradeNo, kind: "pay" });
  expect(notifies.every((n) => n.status === "dropped" && n.attempts.length === 0)).toBe(true);
});

test("an expired mweb_url: the cashier refuses it, and paying again from the shop works", async ({
  page,
}) => {
  const orderId = await buyNow(page);
  await page.getByTestId("pay-button").click();
  await expect(page.getByTestId("h5-cashier")).toBeVisible();

  await letMwebUrlExpire(orderId);
  await page.reload();
  await expect(page.getByText("支付请求已失效，请重新发起支付")).toBeVisible();
  await keepScreenshot(page, "sim-h5-cashier-expired");

  // Back to the shop (WeChat's cashier has no way back but the browser's): pay again gets a fresh mweb_url.
  await page.goBack();
  await expect(page).toHaveURL(new RegExp(`/orders/${orderId}$`));
  await page.getByTestId("pay-button").click();
  await expect(page.getByTestId("h5-cashier")).toBeVisible();
  await page.getByTestId("cashier-pay").click();
  await page.waitForURL(`**/orders/${orderId}/result`);
  await expectResultStatus(page, "PAID");
});
