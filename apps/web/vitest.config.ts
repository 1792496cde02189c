import { defineConfig } from "vitest/config";

import { testReporters, testTimeouts } from "@wxpay/testkit/vitest";

export default defineConfig({
  resolve: { alias: { "~": new URL("./src", import.meta.url).pathname } },
  test: { include: ["src/**/*.test.ts"], reporters: testReporters("web"), ...testTimeouts },
});
