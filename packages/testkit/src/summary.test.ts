import fs from "node:fs";
import os from "node:os";
import path from "node:path";

import { describe, expect, it } from "vitest";

import { summarizeReports } from "./summary";

describe("test summary", () => {
  it("adds vitest and Playwright reports, and counts an unreadable report as a failure", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wxpay-summary-"));
    fs.writeFileSync(
      path.join(dir, "vitest-a.json"),
      JSON.stringify({ numPassedTests: 7, numFailedTests: 1 }),
    );
    fs.writeFileSync(
      path.join(dir, "playwright-web.json"),
      JSON.stringify({ stats: { expected: 3, unexpected: 2, flaky: 1, skipped: 0 } }),
    );
    fs.writeFileSync(path.join(dir, "vitest-broken.json"), "{ not json");
    expect(summarizeReports(dir)).toMatchObject({ passed: 11, failed: 4 });
    fs.rmSync(dir, { recursive: true });
  });
});
