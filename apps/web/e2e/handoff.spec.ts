// The desktop→phone handoff link: single-use, two minutes, and a phone that already shops here is asked before
// it is switched to the desktop's shopper (a link sent by someone else must not silently take over a browser).
import type { Browser } from "@playwright/test";
import { devices, expect, test } from "@playwright/test";

import { buyNow, expireHandoffLinks, keepScreenshot } from "./support";

const phone = (browser: Browser) => browser.newContext({ ...devices["Pixel 7"], locale: "zh-CN" });

/** An order placed on the desktop's session and the handoff link its desktop page shows. */
async function desktopOrderLink(browser: Browser): Promise<{ orderId: string; link: string }> {
  const owner = await phone(browser);
  const orderId = await buyNow(await owner.newPage());
  const desktop = await browser.newContext({ ...devices["Desktop Chrome"], locale: "zh-CN" });
  await desktop.addCookies(await owner.cookies());
  const d = await desktop.newPage();
  await d.goto(`/orders/${orderId}`);
  await expect(d.getByTestId("desktop-notice")).toContainText("2 分钟内有效");
  const link = (await d.getByTestId("order-link").textContent()) ?? "";
  expect(link).toContain("/api/orders/handoff?t=");
  await Promise.all([owner.close(), desktop.close()]);
  return { orderId, link };
}

test("a handoff link works once: a second phone is told the link is used up", async ({ browser }) => {
  const { orderId, link } = await desktopOrderLink(browser);
  const first = await phone(browser);
  const p = await first.newPage();
  await p.goto(link);
  await p.waitForURL(`**/orders/${orderId}`);
  await expect(p.getByTestId("pay-button")).toBeVisible();

  const second = await phone(browser);
  const q = await second.newPage();
  await q.goto(link);
  await expect(q.getByTestId("handoff-invalid")).toContainText("这个链接已经失效");
  await keepScreenshot(q, "handoff-used");
  await q.goto(`/orders/${orderId}`);
  await expect(q.getByTestId("pay-button")).toHaveCount(0);
  await Promise.all([first.close(), second.close()]);
});

test("a handoff link older than two minutes is refused", async ({ browser }) => {
  const { orderId, link } = await desktopOrderLink(browser);
  await expireHandoffLinks(orderId);
  const late = await phone(browser);
  const p = await late.newPage();
  await p.goto(link);
  await expect(p.getByTestId("handoff-invalid")).toContainText("2 分钟后失效");
  await p.goto(`/orders/${orderId}`);
  await expect(p.getByTestId("pay-button")).toHaveCount(0);
  await late.close();
});

test("a phone that already shops here is asked first, and switches only when the shopper says yes", async ({
  browser,
}) => {
  const { orderId, link } = await desktopOrderLink(browser);
  const mine = await phone(browser);
  const p = await mine.newPage();
  const ownOrder = await buyNow(p);

  await p.goto(link);
  const ask = p.getByTestId("handoff-confirm");
  await expect(ask).toContainText("要在这台设备上继续电脑上的订单吗？");
  await expect(ask).toContainText("如果这个链接是别人发给你的");
  await keepScreenshot(p, "handoff-confirm");

  // "Keep mine": nothing changed, the phone still sees its own order and not the desktop's.
  await p.getByTestId("handoff-keep").click();
  await p.waitForURL("**/orders");
  await expect(p.locator(`[data-order-id="${ownOrder}"]`)).toBeVisible();
  await expect(p.locator(`[data-order-id="${orderId}"]`)).toHaveCount(0);

  // A cross-site form cannot answer for the shopper.
  const token = new URL(link).searchParams.get("t") ?? "";
  const forged = await p.request.post("/api/orders/handoff", {
    headers: { origin: "https://evil.example" },
    form: { t: token },
    maxRedirects: 0,
  });
  expect(forged.status()).toBe(403);

  // The link was not spent by asking: opening it again and saying yes switches to the desktop's order.
  await p.goto(link);
  await p.getByTestId("handoff-switch").click();
  await p.waitForURL(`**/orders/${orderId}`);
  await expect(p.getByTestId("pay-button")).toBeVisible();
  await mine.close();
});
