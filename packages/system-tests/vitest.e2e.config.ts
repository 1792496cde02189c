import { defineConfig } from "vitest/config";

import { testReporters, testTimeouts } from "@wxpay/testkit/vitest";

// Each file starts its own PostgreSQL, simulator and web server processes; files run one at a time so the
// timings of one (a database crash, reconciliation ticks) are not disturbed by another on a 2-core machine.
export default defineConfig({
  test: {
    include: ["e2e/**/*.e2e.ts"],
    reporters: testReporters("system-tests-e2e"),
    ...testTimeouts,
    fileParallelism: false,
  },
});
