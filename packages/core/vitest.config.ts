import { defineConfig } from "vitest/config";

import { testReporters, testTimeouts } from "@wxpay/testkit/vitest";

export default defineConfig({
  test: { include: ["src/**/*.test.ts"], reporters: testReporters("core"), ...testTimeouts },
});
