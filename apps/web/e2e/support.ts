// Shared pieces of the shop's end-to-end tests: the simulator's control API, the shopper's steps, artifacts.
import fs from "node:fs";

import type { Page } from "@playwright/test";
import { expect, test } from "@playwright/test";
import postgres from "postgres";

import { createSimControl } from "@wxpay/wechat-sim/control-client";

export { WECHAT_ANDROID_UA, WECHAT_IOS_UA } from "@wxpay/testkit/playwright";

const simUrl = process.env.WXPAY_E2E_SIM_URL;
if (!simUrl) throw new Error("WXPAY_E2E_SIM_URL is not set (playwright.config.ts sets it)");
export const sim = createSimControl(simUrl);
export const SIM_URL = simUrl;

/** The WeChat Pay API version the shop of this test's project speaks (playwright.config.ts: one web server each). */
export function apiVersion(): "v2" | "v3" {
  return test.info().project.metadata.apiVersion === "v3" ? "v3" : "v2";
}

/** The web server's database (serve.ts writes its URL to the project's file), for tests that age rows. */
export function webDatabaseUrl(): string {
  const file = String(test.info().project.metadata.dbFile ?? "");
  const url = file && fs.existsSync(file) ? fs.readFileSync(file, "utf8").trim() : "";
  if (!url) throw new Error("this test needs PostgreSQL for the web server (PGlite runs inside it)");
  return url;
}

/** The one-fen test product: every payment test pays 0.01. */
export const TEST_SKU = "TEST-1FEN";

/** A full-page screenshot kept with the test's artifacts (test-results/…). */
export async function keepScreenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: test.info().outputPath(`${name}.png`), fullPage: true });
}

/** From the product list: "buy now" → the order's confirm-and-pay page. Returns the order id. */
export async function buyNow(page: Page, sku = TEST_SKU): Promise<string> {
  await page.goto("/");
  await page.locator(`[data-sku="${sku}"]`).getByRole("button", { name: "立即购买" }).click();
  await page.waitForURL(/\/orders\/o_[0-9A-Za-z]+$/);
  const orderId = new URL(page.url()).pathname.split("/").at(-1);
  if (!orderId) throw new Error(`no order id in ${page.url()}`);
  return orderId;
}

/** The simulator's trades for one shop order (the core sends the order id as `attach`). */
export async function simTradesFor(orderId: string) {
  const all = await sim.orders();
  return all.filter((o) => o.attach === orderId);
}

/** The result page has settled on `status` (it polls orderStatus by itself). */
export async function expectResultStatus(page: Page, status: string): Promise<void> {
  await expect(page.getByTestId("order-result")).toHaveAttribute("data-status", status, { timeout: 30_000 });
}

/**
 * Lets six minutes pass for an order's H5 payment: the simulator's clock moves on (its cashier now refuses the
 * mweb_url: WeChat: mweb_url is valid 5 minutes), and the shop's stored mweb_url ages by as much.
 */
export async function letMwebUrlExpire(orderId: string): Promise<void> {
  const sql = postgres(webDatabaseUrl(), { max: 1, onnotice: () => {} });
  try {
    const rows = await sql`
      update payment_attempts
         set mweb_expires_at = mweb_expires_at - interval '6 minutes',
             created_at = created_at - interval '6 minutes'
       where order_id = ${orderId} and mweb_url is not null
      returning id`;
    expect(rows.length).toBeGreaterThan(0);
  } finally {
    await sql.end();
  }
  await sim.advanceClock(6 * 60_000);
}

/**
 * Which test user this browser is inside WeChat. WeChat asks nothing on snsapi_base, so the simulator decides: it
 * remembers the choice made on its admin page (a cookie on its own origin), else it is the first test user.
 */
export async function useWechatUser(page: Page, userId: string): Promise<void> {
  await page.goto(`${SIM_URL}/__sim/admin`);
  await page.getByTestId("browser-user").selectOption(userId);
  await page.getByTestId("browser-user-save").click();
  await expect(page.getByTestId("browser-user")).toHaveValue(userId);
}

/**
 * Resolves once the shop's OAuth callback has answered: the snsapi_base round trip (shop → WeChat → shop) is on its
 * way back. Start it before the navigation that triggers OAuth: WeChat answers at once, and the redirects are one
 * navigation, so until it commits the browser still shows the page that started it (check the page with web-first
 * assertions, which wait through that).
 */
export async function oauthRoundTrip(page: Page): Promise<void> {
  await page.waitForResponse((r) => new URL(r.url()).pathname === "/api/wechat/oauth/callback");
}

/** Ages every handoff link of an order past its two minutes (in the web server's database). */
export async function expireHandoffLinks(orderId: string): Promise<void> {
  const sql = postgres(webDatabaseUrl(), { max: 1, onnotice: () => {} });
  try {
    const rows = await sql`
      update handoff_links set expires_at = now() - interval '1 second'
       where order_id = ${orderId}
      returning token_hash`;
    expect(rows.length).toBeGreaterThan(0);
  } finally {
    await sql.end();
  }
}
