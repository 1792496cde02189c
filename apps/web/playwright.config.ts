import { defineConfig, devices } from "@playwright/test";

import { chromiumLaunchOptions, playwrightReporters } from "@wxpay/testkit/playwright";
import { freePortSync } from "@wxpay/testkit/ports-sync";

// Ports are chosen once, in the main process; workers inherit them through the environment.
process.env.WXPAY_E2E_WEB_PORT ??= String(freePortSync());
const WEB = `http://127.0.0.1:${process.env.WXPAY_E2E_WEB_PORT}`;

export default defineConfig({
  testDir: "./e2e",
  outputDir: "./test-results",
  workers: 1,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 60_000,
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
      name: "web",
      command: "pnpm exec tsx e2e/serve.ts",
      url: `${WEB}/api/health`,
      timeout: 120_000,
      reuseExistingServer: false,
      env: { PORT: process.env.WXPAY_E2E_WEB_PORT, NODE_ENV: "production" },
      stdout: "pipe",
      stderr: "pipe",
    },
  ],
});
