// The built mini-program for tests: the same build as `pnpm build`, into a folder of the test's own.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

import type { TBuildResult } from "../../scripts/build-miniprogram";
import { buildMiniprogram } from "../../scripts/build-miniprogram";
import type { TBuildConfig } from "../../scripts/env";

export const TEST_CONFIG: TBuildConfig = {
  appid: "touristappid",
  apiBaseUrl: "http://127.0.0.1:9",
  simulator: null,
};

export async function buildToTemp(
  config: Partial<TBuildConfig> = {},
): Promise<TBuildResult & { remove(): void }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wxpay-mini-"));
  const result = await buildMiniprogram({ ...TEST_CONFIG, ...config }, path.join(dir, "dist"));
  return { ...result, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
