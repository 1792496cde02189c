import os from "node:os";
import path from "node:path";

import { defineConfig, devices } from "@playwright/test";

import { chromiumLaunchOptions, playwrightReporters } from "@wxpay/testkit/playwright";
import { freePortSync } from "@wxpay/testkit/ports-sync";

// Ports are chosen once, in the main process; workers inherit them through the environment.
process.env.WXPAY_E2E_WEB_PORT ??= String(freePortSync());
process.env.WXPAY_E2E_SIM_PORT ??= String(freePortSync());
// e2e/serve.ts writes the web server's database URL here, so a test can age a payment attempt (mweb_url expiry).
process.env.WXPAY_E2E_DB_FILE ??= path.join(os.tmpdir(), `wxpay-e2e-db-${process.env.WXPAY_E2E_WEB_PORT}`);
const WEB = `http://127.0.0.1:${process.env.WXPAY_E2E_WEB_PORT}`;
const SIM = `http://127.0.0.1:${process.env.WXPAY_E2E_SIM_PORT}`;
process.env.WXPAY_E2E_SIM_URL = SIM;

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
    baseURL: WEB,
    trace: "retain-on-failure",
    locale: "zh-CN",
    launchOptions: chromiumLaunchOptions(),
  },
  projects: [{ name: "mobile", use: { ...devices["Pixel 7"], defaultBrowserType: "chromium" } }],
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
    {
      name: "web",
      command: "pnpm exec tsx e2e/serve.ts",
      // SIGTERM (not Playwright's default SIGKILL) so serve.ts drops its database and stops its own PostgreSQL.
      gracefulShutdown: { signal: "SIGTERM", timeout: 15_000 },
      url: `${WEB}/api/health`,
      timeout: 120_000,
      reuseExistingServer: false,
      // Pinned: a developer's .env must not point the run at other WeChat hosts or another origin.
      env: {
        PORT: process.env.WXPAY_E2E_WEB_PORT,
        NODE_ENV: "production",
        APP_URL: WEB,
        WECHAT_PAY_BASE: SIM,
        WECHAT_API_BASE: SIM,
        WECHAT_OPEN_BASE: SIM,
        TRUST_PROXY_HOPS: "0",
      },
      stdout: "pipe",
      stderr: "pipe",
    },
  ],
});
