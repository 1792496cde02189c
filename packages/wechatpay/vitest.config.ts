import { defineConfig } from "vitest/config";

import { testReporters, testTimeouts } from "@wxpay/testkit/vitest";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    reporters: testReporters("wechatpay"),
    ...testTimeouts,
  },
});
