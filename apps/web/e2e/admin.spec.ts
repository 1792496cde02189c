// The operator console in Chromium on PostgreSQL: an operator created with the documented command logs in, changes
// the one-time password, finds an order paid twice, refunds the extra payment in part, sees the refund notify settle
// it, gives back a second order's extra payment with the review queue's one-click refund, resolves a review with a note,
// exports CSV (streamed), manages operators (role, disable; the last admin kept) and finds each action in the audit log.
// Screenshots of every console page go to test-results/console/.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

import type { Browser, Page } from "@playwright/test";
import { devices, expect, test } from "@playwright/test";

import {
  buyNow,
  expectResultStatus,
  oauthRoundTrip,
  sim,
  simTradesFor,
  WECHAT_ANDROID_UA,
  webDatabaseUrl,
} from "./support";

test.use({ ...devices["Desktop Chrome"], defaultBrowserType: "chromium", locale: "zh-CN" });

const databaseUrl = webDatabaseUrl;

/** A full-page screenshot of a console page, kept in test-results/console/ (the closing note's folder). */
async function keepScreenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({
    path: path.resolve(import.meta.dirname, "../test-results/console", `${name}.png`),
    fullPage: true,
  });
}

/** `pnpm --filter @wxpay/web operator add <name> --role <role>`, as the README documents it. */
function addOperator(name: string, role: string): string {
  const r = spawnSync("pnpm", ["exec", "tsx", "scripts/operator.ts", "add", name, "--role", role], {
    cwd: path.resolve(import.meta.dirname, ".."),
    env: { ...process.env, DATABASE_URL: databaseUrl(), MIGRATE_ON_START: "false" },
    encoding: "utf8",
  });
  const password = /one-time password: (\S+)/.exec(r.stdout)?.[1];
  if (r.status !== 0 || !password) throw new Error(`operator add failed: ${r.stdout}${r.stderr}`);
  return password;
}

async function logIn(page: Page, name: string, password: string) {
  await page.goto("/admin");
  await page.waitForURL("**/admin/login");
  await page.getByLabel("用户名").fill(name);
  await page.getByLabel("密码").fill(password);
  await page.getByRole("button", { name: "登录" }).click();
}

/** An order paid twice: the H5 cashier left open in one browser, then paid inside WeChat, then the H5 trade paid. */
async function orderPaidTwice(browser: Browser): Promise<string> {
  const mobile = await browser.newContext({ ...devices["Pixel 7"], locale: "zh-CN" });
  const h5 = await mobile.newPage();
  const orderId = await buyNow(h5, "CUP-CELADON");
  await h5.getByTestId("pay-button").click();
  await expect(h5.getByTestId("h5-cashier")).toBeVisible();
  const wechat = await browser.newContext({
    ...devices["Pixel 7"],
    userAgent: WECHAT_ANDROID_UA,
    locale: "zh-CN",
  });
  await wechat.addCookies(await mobile.cookies());
  const page = await wechat.newPage();
  const oauth = oauthRoundTrip(page);
  await page.goto(`/orders/${orderId}`);
  await oauth;
  await page.waitForURL(new RegExp(`/orders/${orderId}$`));
  await expect(page.getByTestId("pay-button")).toBeEnabled();
  await page.getByTestId("pay-button").click();
  await page.getByTestId("wxsim-pay").click();
  await page.waitForURL(`**/orders/${orderId}/result`);
  await expectResultStatus(page, "PAID");
  const mweb = (await simTradesFor(orderId)).find((t) => t.tradeType === "MWEB");
  if (!mweb) throw new Error("no MWEB trade");
  await sim.pay({ outTradeNo: mweb.outTradeNo });
  await mobile.close();
  await wechat.close();
  return orderId;
}

test("an operator settles an order paid twice from the console, and every action is in the audit log", async ({
  page,
  browser,
}) => {
  // Two orders paid twice, then the whole console: longer than one payment flow.
  test.setTimeout(240_000);
  const orderId = await orderPaidTwice(browser);
  const second = await orderPaidTwice(browser);
  const password = addOperator("e2e-admin", "admin");

  await logIn(page, "e2e-admin", password);
  await page.waitForURL("**/admin/password");
  await keepScreenshot(page, "admin-password");
  await page.getByLabel("当前密码").fill(password);
  await page.getByLabel("新密码（至少 10 个字符）").fill("tea-and-vessels-2026");
  await page.getByRole("button", { name: "保存新密码" }).click();
  await page.waitForURL(/\/admin$/);
  await expect(page.getByTestId("chart-paid")).toBeVisible();
  await keepScreenshot(page, "admin-overview");

  // The review queue names the order and why.
  await page.goto("/admin/review");
  await expect(page.getByTestId("review-table")).toContainText(orderId);

  // One click gives back the second order's extra payment: a confirm step pre-filled with all that is left of it.
  const row = page.getByTestId("review-table").locator("tr", { hasText: second });
  await row.getByTestId("refund-extra").click();
  const confirm = row.getByTestId("refund-extra-confirm");
  await expect(confirm.getByLabel("金额（元）")).toHaveValue("59.00");
  await keepScreenshot(page, "admin-review");
  await confirm.getByRole("button", { name: "确认退款" }).click();
  await expect(row.getByText("已全部退回或退款中")).toBeVisible();
  await page.goto(`/admin/orders/${second}`);
  await expect(page.getByTestId("refunds-table")).toContainText("¥59.00");
  await expect(page.getByTestId("refunds-table")).toContainText("退回多收的款项");
  const extraRefundNo =
    (await page.getByTestId("refunds-table").locator("tbody tr td").first().textContent()) ?? "";
  await sim.settleRefund({ outRefundNo: extraRefundNo.trim() });
  // Settled by its notify: the order keeps its own payment only, so it is simply paid and leaves the queue.
  await expect(async () => {
    await page.reload();
    await expect(page.getByTestId("order-status")).toHaveText("已支付", { timeout: 1000 });
  }).toPass({ timeout: 20_000 });
  await page.goto("/admin/review");
  await expect(page.getByTestId("review-table")).not.toContainText(second);

  // Found by its id in the order list.
  await page.goto("/admin/orders");
  await expect(page.getByTestId("orders-table")).toContainText(second);
  await keepScreenshot(page, "admin-orders");
  await page.getByLabel("订单号 / out_trade_no / transaction_id / 客户").fill(orderId);
  await page.getByRole("button", { name: "查询" }).click();
  await expect(page.getByTestId("orders-table").locator("tbody tr")).toHaveCount(1);
  await page.getByRole("link", { name: orderId }).click();
  await expect(page.getByTestId("order-status")).toHaveText("待核对");

  // Refund 10 yuan of the extra payment (59 yuan): in part, so the order stays in review afterwards.
  const form = page.getByTestId("refund-form");
  const extra = await form.locator("option", { hasText: "多收的款项" }).getAttribute("value");
  await form.getByLabel("退款的支付单").selectOption(extra ?? "");
  await form.getByLabel("金额（元）").fill("10");
  await form.getByLabel("原因").fill("重复支付，先退一部分");
  await form.getByRole("button", { name: "退款" }).click();
  await expect(page.getByTestId("refunds-table")).toContainText("REQUESTED");
  const outRefundNo =
    (await page.getByTestId("refunds-table").locator("tbody tr td").first().textContent()) ?? "";
  await sim.settleRefund({ outRefundNo: outRefundNo.trim() });
  await expect(async () => {
    await page.reload();
    await expect(page.getByTestId("refunds-table")).toContainText("SUCCESS", { timeout: 1000 });
  }).toPass({ timeout: 20_000 });
  await expect(page.getByTestId("refunds-table")).toContainText("¥10.00");
  await expect(page.getByTestId("order-status")).toHaveText("待核对");

  // Resolved with a note: the order is what it should be, paid.
  await page.getByLabel("核对说明（必填）").fill("顾客同意其余款项抵作下次订单");
  await page.getByRole("button", { name: "标记为已核对" }).click();
  await expect(page.getByTestId("order-status")).toHaveText("已支付");
  await expect(page.getByTestId("timeline")).toContainText("REVIEW_RESOLVED");
  await keepScreenshot(page, "admin-order-detail");

  // CSV of the filtered list, streamed by the export route.
  await page.goto(`/admin/orders?q=${orderId}`);
  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "导出 CSV" }).click();
  const csv = fs.readFileSync((await (await download).path()) ?? "", "utf8");
  expect(csv).toContain(orderId);
  expect(csv).toContain("59.00");
  expect(csv).not.toContain(second);

  await page.goto("/admin/notifications");
  // Failing verdicts first: the extra payment's delivery (money on a paid order) heads the inbox.
  await expect(page.getByTestId("notifications-table").locator("tbody tr").first()).toContainText(
    "PAID_NEEDS_REVIEW",
  );
  await keepScreenshot(page, "admin-notifications");
  // Every refund, newest first: the one-click refund of the second order's extra payment and the partial one.
  await page.goto("/admin/refunds");
  await expect(page.getByTestId("refunds-list").locator("tbody tr")).toHaveCount(2);
  await expect(page.getByTestId("refunds-list")).toContainText("退回多收的款项");
  await keepScreenshot(page, "admin-refunds");
  // Today's bill asked for from the console's button: WeChat has not made it yet (Bill Creating), and the run is
  // recorded with why, to be run again tomorrow.
  await page.goto("/admin/bills");
  const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10).replace(/-/g, "");
  await page.getByLabel("账单日（yyyyMMdd）").fill(today);
  await page.getByRole("button", { name: "重新对账" }).click();
  await expect(page.getByTestId("bills-table").locator("tbody tr")).toHaveCount(1);
  await expect(page.getByTestId("bills-table")).toContainText(today);
  await keepScreenshot(page, "admin-bills");

  // Operators: an admin changes a role and disables an operator (with a confirm step); the last admin stays.
  addOperator("e2e-helper", "viewer");
  await page.goto("/admin/operators");
  const helper = page.getByTestId("operators-table").locator('tr[data-operator="e2e-helper"]');
  await helper.getByLabel("e2e-helper 的角色").selectOption("operator");
  await helper.getByRole("button", { name: "修改角色" }).click();
  await expect(helper).toContainText("运营");
  await helper.getByRole("button", { name: "停用" }).click();
  await helper.getByRole("button", { name: "确认停用" }).click();
  await expect(helper).toContainText("已停用");
  const me = page.getByTestId("operators-table").locator('tr[data-operator="e2e-admin"]');
  await me.getByLabel("e2e-admin 的角色").selectOption("viewer");
  await me.getByRole("button", { name: "修改角色" }).click();
  await expect(me.getByRole("alert")).toContainText("至少要保留一位启用的管理员");
  await keepScreenshot(page, "admin-operators");

  await page.goto("/admin/audit");
  const audit = page.getByTestId("audit-table");
  for (const action of ["登录", "修改密码", "退款", "核对完成", "导出", "修改角色", "停用操作员"]) {
    await expect(audit.locator("td", { hasText: new RegExp(`^${action}$`) }).first()).toBeVisible();
  }
  await expect(audit).toContainText("顾客同意其余款项抵作下次订单");
  await keepScreenshot(page, "admin-audit");
});

test("a viewer cannot refund; a shopper's cookie and cross-site posts get nothing from admin.*", async ({
  page,
  request,
}) => {
  const password = addOperator("e2e-viewer", "viewer");
  await logIn(page, "e2e-viewer", password);
  await page.waitForURL("**/admin/password");
  await page.getByLabel("当前密码").fill(password);
  await page.getByLabel("新密码（至少 10 个字符）").fill("only-looking-2026");
  await page.getByRole("button", { name: "保存新密码" }).click();
  await page.waitForURL(/\/admin$/);
  const origin = new URL(page.url()).origin;
  const refused = await page.evaluate(async () => {
    const res = await fetch("/api/trpc/admin.refund", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        orderId: "o_AAAAAAAAAAAAAAAAAAAAAA",
        outTradeNo: "abcdefgh",
        amountFen: 1,
        reason: "试试",
      }),
    });
    return { status: res.status, body: (await res.json()) as { error?: { data?: { appCode?: string } } } };
  });
  expect(refused.status).toBe(403);
  expect(refused.body.error?.data?.appCode).toBe("FORBIDDEN");
  // Nor manage operators, nor export.
  const managing = await page.evaluate(async () => {
    const post = async (path: string, input: unknown) =>
      (
        await fetch(`/api/trpc/admin.${path}`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(input),
        })
      ).status;
    return [
      await post("setOperatorDisabled", { username: "e2e-admin", disabled: true }),
      await post("setOperatorRole", { username: "e2e-viewer", role: "admin" }),
      (await fetch("/api/admin/orders/export")).status,
    ];
  });
  expect(managing).toEqual([403, 403, 403]);
  await page.goto("/admin/operators");
  await expect(page.getByText("只有管理员可以查看和管理操作员")).toBeVisible();

  // A shopper (this context's shop cookie only) is UNAUTHORIZED on the console's procedures.
  await page.goto("/");
  const shopperCookies = (await page.context().cookies()).filter((c) => c.name !== "wxpay_admin");
  const cookie = shopperCookies.map((c) => `${c.name}=${c.value}`).join("; ");
  for (const p of ["admin.overview", "admin.orders", "admin.audit", "admin.review"]) {
    const r = await request.get(`/api/trpc/${p}`, { headers: { cookie } });
    expect([p, r.status()]).toEqual([p, 401]);
  }
  // A cross-site POST carrying the console's cookie is refused.
  const adminCookie = (await page.context().cookies()).find((c) => c.name === "wxpay_admin");
  const cross = await request.post("/api/trpc/admin.logout", {
    headers: {
      "content-type": "application/json",
      origin: "https://evil.example",
      cookie: `wxpay_admin=${adminCookie?.value ?? ""}`,
    },
    data: "null",
  });
  expect(cross.status()).toBe(403);
  expect(origin).toMatch(/^http/);
});
