import { defineConfig, devices } from "@playwright/test";

import { chromiumLaunchOptions, playwrightReporters } from "@wxpay/testkit/playwright";

// The tests start the simulator and a small shop server in-process on free ports; no webServer needed.
export default defineConfig({
  testDir: "./e2e",
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 30_000,
  reporter: playwrightReporters("wechat-sim"),
  use: { trace: "retain-on-failure", locale: "zh-CN" },
  projects: [
    {
      name: "chromium",
      use: { ...devices["Pixel 7"], defaultBrowserType: "chromium", launchOptions: chromiumLaunchOptions() },
    },
  ],
});
