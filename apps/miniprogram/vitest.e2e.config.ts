// The built mini-program against the production web build, the simulator and PostgreSQL (`test:e2e`; turbo
// builds first).
import { defineConfig } from "vitest/config";

import { testReporters, testTimeouts } from "@wxpay/testkit/vitest";

export default defineConfig({
  test: {
    include: ["test/e2e/**/*.test.ts"],
    globalSetup: ["test/e2e/servers.global.ts"],
    reporters: testReporters("miniprogram-e2e"),
    // One web server for the whole run; files share it one after another.
    fileParallelism: false,
    ...testTimeouts,
  },
});
