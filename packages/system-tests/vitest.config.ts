import { defineConfig } from "vitest/config";

import { testReporters, testTimeouts } from "@wxpay/testkit/vitest";

// `test`: the driver crash test (a throwaway PostgreSQL, seconds). The cross-process suites need the production
// build and run under `test:e2e` (vitest.e2e.config.ts).
export default defineConfig({
  test: { include: ["test/**/*.test.ts"], reporters: testReporters("system-tests"), ...testTimeouts },
});
