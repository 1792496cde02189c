// `pnpm --filter @wxpay/miniprogram build`: dist/ for WeChat DevTools, and its size against the budget.
// `build:release` (`--release`) refuses a configuration that still points at the simulator.
import path from "node:path";

import { buildMiniprogram, SIZE_BUDGET_BYTES, sizeReport } from "./build-miniprogram";
import { loadConfig } from "./env";

const release = process.argv.includes("--release");
const config = loadConfig(undefined, undefined, { release });
const result = await buildMiniprogram(config);
console.log(sizeReport(result));
console.log(
  `${release ? "release" : "development"} build · appid ${config.appid} · API ${config.apiBaseUrl} · simulator ${config.simulator?.url ?? "none"}`,
);
console.log(`open ${path.relative(process.cwd(), result.outDir) || "."} in WeChat DevTools`);
if (result.totalBytes > SIZE_BUDGET_BYTES) {
  console.error(`package is ${result.totalBytes} bytes, over the ${SIZE_BUDGET_BYTES}-byte budget`);
  process.exit(1);
}
