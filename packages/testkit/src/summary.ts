// Adds up the JSON reports vitest and Playwright wrote into the report directory.
import fs from "node:fs";
import path from "node:path";

export type Summary = { passed: number; failed: number; skipped: number; files: string[] };

type VitestReport = {
  numPassedTests?: number;
  numFailedTests?: number;
  numPendingTests?: number;
  numTodoTests?: number;
};
type PlaywrightReport = {
  stats?: { expected?: number; unexpected?: number; flaky?: number; skipped?: number };
};

export function summarizeReports(dir: string): Summary {
  const summary: Summary = { passed: 0, failed: 0, skipped: 0, files: [] };
  if (!fs.existsSync(dir)) return summary;
  for (const file of fs.readdirSync(dir).sort()) {
    if (!file.endsWith(".json")) continue;
    let data: unknown;
    try {
      data = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8"));
    } catch {
      summary.failed += 1; // an unreadable report is a failure, not silence
      continue;
    }
    summary.files.push(file);
    if (file.startsWith("vitest-")) {
      const r = data as VitestReport;
      summary.passed += r.numPassedTests ?? 0;
      summary.failed += r.numFailedTests ?? 0;
      summary.skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
    } else if (file.startsWith("playwright-")) {
      const s = (data as PlaywrightReport).stats ?? {};
      summary.passed += (s.expected ?? 0) + (s.flaky ?? 0);
      summary.failed += s.unexpected ?? 0;
      summary.skipped += s.skipped ?? 0;
    }
  }
  return summary;
}
