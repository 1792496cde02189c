import { defineConfig } from "vitest/config";

import { testReporters, testTimeouts } from "./src/vitest-preset.js";

export default defineConfig({
  test: { include: ["src/**/*.test.ts"], reporters: testReporters("testkit"), ...testTimeouts },
});
