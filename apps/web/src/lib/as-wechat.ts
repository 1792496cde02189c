// Development "as WeChat" mode: a desktop browser opens the shop as if it were WeChat's in-app browser. The page
// loads the simulator's bridge script (WeixinJSBridge + the JS-SDK back end) and pays with JSAPI, so the whole
// in-WeChat flow can be tried with `pnpm dev` alone. Only ever on in development, when WeChat is the local simulator.
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

/**
 * The mode exists only in development against the simulator: NODE_ENV is not production and none of the three
 * WeChat hosts is WeChat's own.
 */
export function asWechatModeAvailable(e: {
  NODE_ENV: string;
  WECHAT_PAY_BASE: string;
  WECHAT_API_BASE: string;
  WECHAT_OPEN_BASE: string;
}): boolean {
  if (e.NODE_ENV === "production") return false;
  return [e.WECHAT_PAY_BASE, e.WECHAT_API_BASE, e.WECHAT_OPEN_BASE].every(
    (u) => simulatorOrigin(u) !== undefined,
  );
}

/** Only same-site paths ("/orders/…"), never "//host", "https://…" or "/\t/host": the switch is no open redirect. */
export { safeReturnPath } from "@wxpay/core";
