import { expect, test } from "@playwright/test";

test("the home page lists the catalog from the database, prices in yuan", async ({ page }) => {
  await page.goto("/");
  const list = page.getByTestId("product-list");
  await expect(list.locator("li")).toHaveCount(5);
  await expect(list.locator('[data-sku="TEA-LONGJING"]')).toContainText("西湖龙井 50g");
  await expect(list.locator('[data-sku="TEA-LONGJING"]')).toContainText("¥128.00");
  await expect(list.locator('[data-sku="TEST-1FEN"]')).toContainText("¥0.01");
  await page.screenshot({ path: test.info().outputPath("products.png"), fullPage: true });
});

test("health reports the database ready with every migration applied", async ({ request }) => {
  const res = await request.get("/api/health");
  expect(res.status()).toBe(200);
  const body = (await res.json()) as { status: string; migrations: { applied: number; expected: number } };
  expect(body.status).toBe("ok");
  expect(body.migrations.applied).toBe(body.migrations.expected);
});
