// Shared Playwright settings: system Chromium, a mobile viewport, JSON report for the root summary.
import path from "node:path";

import { CHROMIUM_ARGS, findChromium } from "./chromium";

export const chromiumLaunchOptions = () => ({
  executablePath: findChromium() ?? "/usr/bin/chromium",
  args: CHROMIUM_ARGS,
});

export function playwrightReporters(packageName: string): ([string] | [string, Record<string, unknown>])[] {
  const dir = process.env.WXPAY_REPORT_DIR;
  const reporters: ([string] | [string, Record<string, unknown>])[] = [["list"]];
  if (dir) reporters.push(["json", { outputFile: path.join(dir, `playwright-${packageName}.json`) }]);
  return reporters;
}

/** Android WeChat in-app browser. */
export const WECHAT_ANDROID_UA =
  "Mozilla/5.0 (Linux; Android 14; Pixel 7; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/130.0.0.0 Mobile Safari/537.36 XWEB/1300289 MMWEBSDK/20241103 MicroMessenger/8.0.55.2780(0x28003737) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64";
/** iOS WeChat in-app browser. */
export const WECHAT_IOS_UA =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.38(0x1800262c) NetType/WIFI Language/zh_CN";
/** A mobile browser outside WeChat (H5 / MWEB). */
export const MOBILE_BROWSER_UA =
  "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Mobile Safari/537.36";
