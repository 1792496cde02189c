// Shared vitest settings: generous timeouts (a cold PGlite or Postgres start takes seconds on a loaded
// 2-core machine) and, when the test runner asks for it, a JSON report the root summary adds up.
// Plain JavaScript: vitest loads its config's imports from workspace packages without transpiling them.
import path from "node:path";

/** @param {string} packageName */
export function testReporters(packageName) {
  const dir = process.env.WXPAY_REPORT_DIR;
  if (!dir) return ["default"];
  const file = path.join(dir, `vitest-${packageName.replace(/[^a-z0-9-]/gi, "_")}.json`);
  return ["default", ["json", { outputFile: file }]];
}

export const testTimeouts = { testTimeout: 60_000, hookTimeout: 120_000 };
