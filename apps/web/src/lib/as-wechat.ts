// Development "as WeChat" mode: a desktop browser opens the shop as if it were WeChat's in-app browser. The page
// loads the simulator's bridge script (WeixinJSBridge + the JS-SDK back end) and pays with JSAPI, so the whole
// in-WeChat flow can be tried with `pnpm dev` alone. Only ever on when WeChat is the local simulator.
export const AS_WECHAT_COOKIE = "wxpay_as_wechat";

/** The simulator's browser-facing origin when WeChat is simulated; undefined against the real WeChat hosts. */
export function simulatorOrigin(openBase: string): string | undefined {
  let host: string;
  try {
    host = new URL(openBase).hostname;
  } catch {
    return undefined;
  }
  if (host === "weixin.qq.com" || host.endsWith(".weixin.qq.com") || host.endsWith(".qq.com"))
    return undefined;
  return openBase.replace(/\/+$/, "");
}

/** Only same-site paths ("/orders/…"), never "//host" or "https://…": the mode switch must not be an open redirect. */
export function safeReturnPath(to: string | null | undefined): string {
  if (!to || !to.startsWith("/") || to.startsWith("//") || to.startsWith("/\\")) return "/";
  return to;
}
