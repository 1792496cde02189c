// The JS-SDK in WeChat's browser: signed wx.config for this page, then wx.chooseWXPay. `weixin-js-sdk` touches
// `window` when it loads, so it is imported here, in the browser, only when the page is inside WeChat.
import type wxSdk from "weixin-js-sdk";

import type { RouterOutputs } from "@wxpay/api";

import { jsSdkSignUrl } from "~/lib/js-sdk-url";
import { landingHref } from "~/lib/landing-url";

type TJsConfig = RouterOutputs["jsConfig"];
type TJsapiPayParams = Extract<RouterOutputs["prepay"], { channel: "jsapi" }>["payParams"];
type TWx = typeof wxSdk;

/** wx.config has not answered within this time: the bridge is missing or WeChat is stuck. */
const CONFIG_TIMEOUT_MS = 10_000;

export type TPayOutcome = "ok" | "cancel" | "fail";

/** The URL wx.config is signed for on this page load (iOS: the landing URL; elsewhere: the current one). */
export function currentSignUrl(ios: boolean): string {
  return jsSdkSignUrl({
    currentHref: window.location.href,
    landingHref: landingHref || window.location.href,
    ios,
  });
}

/**
 * Development "as WeChat" mode: the JS-SDK only talks to the bridge when the user agent says MicroMessenger,
 * so a desktop browser presents itself as WeChat to it (the simulator's bridge answers in WeChat's place).
 */
function presentAsWechat(): void {
  if (/micromessenger/i.test(navigator.userAgent)) return;
  const ua = `${navigator.userAgent} MicroMessenger/8.0.55(0x28003737) NetType/WIFI Language/zh_CN`;
  Object.defineProperty(navigator, "userAgent", { get: () => ua, configurable: true });
}

/** Loads the JS-SDK and applies wx.config; resolves with `wx` once WeChat accepted the signature. */
export async function configureWechatSdk(config: TJsConfig, opts: { asWechat: boolean }): Promise<TWx> {
  if (opts.asWechat) presentAsWechat();
  const wx = (await import("weixin-js-sdk")).default;
  await new Promise<void>((resolve, reject) => {
    let settled = false;
    const timer = window.setTimeout(() => {
      settled = true;
      reject(new Error("wx.config timed out"));
    }, CONFIG_TIMEOUT_MS);
    wx.config({
      debug: false,
      appId: config.appId,
      timestamp: config.timestamp,
      nonceStr: config.nonceStr,
      signature: config.signature,
      jsApiList: config.jsApiList as Parameters<TWx["config"]>[0]["jsApiList"],
    });
    // WeChat calls ready after every config, failed or not; error comes first when it failed.
    wx.error((res) => {
      if (settled) return;
      settled = true;
      window.clearTimeout(timer);
      reject(new Error(`wx.config failed: ${res.errMsg}`));
    });
    wx.ready(() => {
      if (settled) return;
      settled = true;
      window.clearTimeout(timer);
      resolve();
    });
  });
  return wx;
}

/**
 * Opens WeChat's cashier. The outcome is only what the client says: "ok" is not proof of payment (WeChat:
 * "并不保证它绝对可靠"), so the caller confirms through orderStatus; cancel and fail both mean "not paid yet".
 */
export function chooseWXPay(wx: TWx, p: TJsapiPayParams): Promise<TPayOutcome> {
  return new Promise((resolve) => {
    wx.chooseWXPay({
      // WeChat: chooseWXPay takes `timestamp` in lower case; the server signed it as `timeStamp` with appId.
      timestamp: Number(p.timeStamp),
      nonceStr: p.nonceStr,
      package: p.package,
      signType: p.signType,
      paySign: p.paySign,
      success: () => resolve("ok"),
      cancel: () => resolve("cancel"),
      fail: () => resolve("fail"),
    });
  });
}
