import { defineConfig } from "vitest/config";

import { testReporters, testTimeouts } from "@wxpay/testkit/vitest";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    exclude: ["test/e2e/**"],
    globalSetup: ["test/setup/shop-server.global.ts"],
    reporters: testReporters("miniprogram"),
    ...testTimeouts,
  },
});
