import os from "node:os";
import path from "node:path";

import { defineConfig, devices } from "@playwright/test";

import { chromiumLaunchOptions, playwrightReporters } from "@wxpay/testkit/playwright";
import { freePortSync } from "@wxpay/testkit/ports-sync";

// The shop runs twice from one build against one simulator: with WeChat Pay API v2 (every spec) and with API v3 (the
// payment flows: H5, JSAPI, Native). WXPAY_E2E_API_VERSIONS=v2 (or v3) runs one of them only.
const VERSIONS = (process.env.WXPAY_E2E_API_VERSIONS ?? "v2,v3")
  .split(",")
  .map((v) => v.trim())
  .filter((v): v is "v2" | "v3" => v === "v2" || v === "v3");
const PAYMENT_SPECS = /(h5|jsapi|native)\.spec\.ts$/;

// Ports are chosen once, in the main process; workers inherit them through the environment.
process.env.WXPAY_E2E_SIM_PORT ??= String(freePortSync());
const SIM = `http://127.0.0.1:${process.env.WXPAY_E2E_SIM_PORT}`;
process.env.WXPAY_E2E_SIM_URL = SIM;
for (const v of VERSIONS) process.env[`WXPAY_E2E_WEB_PORT_${v.toUpperCase()}`] ??= String(freePortSync());
const webPort = (v: "v2" | "v3") => process.env[`WXPAY_E2E_WEB_PORT_${v.toUpperCase()}`] ?? "";
const webUrl = (v: "v2" | "v3") => `http://127.0.0.1:${webPort(v)}`;
// e2e/serve.ts writes each web server's database URL here, so a test can age a payment attempt (mweb_url expiry).
const dbFile = (v: "v2" | "v3") => path.join(os.tmpdir(), `wxpay-e2e-db-${webPort(v)}`);

export default defineConfig({
  testDir: "./e2e",
  outputDir: "./test-results",
  workers: 1,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: playwrightReporters("web"),
  use: {
    trace: "retain-on-failure",
    locale: "zh-CN",
    launchOptions: chromiumLaunchOptions(),
  },
  projects: VERSIONS.map((v) => ({
    // "mobile" stays the name of the v2 run (reports and artifacts keep their paths).
    name: v === "v2" ? "mobile" : "mobile-v3",
    testMatch: v === "v2" ? undefined : PAYMENT_SPECS,
    metadata: { apiVersion: v, dbFile: dbFile(v) },
    use: { ...devices["Pixel 7"], defaultBrowserType: "chromium", baseURL: webUrl(v) },
  })),
  webServer: [
    {
      name: "wechat-sim",
      command: "pnpm --filter @wxpay/wechat-sim start",
      url: `${SIM}/__sim/health`,
      timeout: 60_000,
      reuseExistingServer: false,
      env: {
        SIM_PORT: process.env.WXPAY_E2E_SIM_PORT,
        SIM_HOST: "127.0.0.1",
        SIM_PUBLIC_URL: SIM,
        SIM_TIME_SCALE: "1",
      },
      stdout: "pipe",
      stderr: "pipe",
    },
    ...VERSIONS.map((v) => ({
      name: v === "v2" ? "web" : "web-v3",
      command: "pnpm exec tsx e2e/serve.ts",
      // SIGTERM (not Playwright's default SIGKILL) so serve.ts drops its database and stops its own PostgreSQL.
      gracefulShutdown: { signal: "SIGTERM" as const, timeout: 15_000 },
      url: `${webUrl(v)}/api/health`,
      timeout: 120_000,
      reuseExistingServer: false,
      // Pinned: a developer's .env must not point the run at other WeChat hosts or another origin.
      env: {
        PORT: webPort(v),
        NODE_ENV: "production",
        APP_URL: webUrl(v),
        WECHAT_PAY_BASE: SIM,
        WECHAT_API_BASE: SIM,
        WECHAT_OPEN_BASE: SIM,
        TRUST_PROXY_HOPS: "0",
        WXPAY_E2E_DB_FILE: dbFile(v),
        // v3 against the simulator: the env module takes the sandbox merchant's APIv3 key and WeChat Pay public key.
        WECHATPAY_API_VERSION: v,
      },
      stdout: "pipe" as const,
      stderr: "pipe" as const,
    })),
  ],
});
