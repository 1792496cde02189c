import { describe, expect, it } from "vitest";

import { detectClientKind, isIosUserAgent } from "./client-kind";

const WECHAT_ANDROID =
  "Mozilla/5.0 (Linux; Android 14; Pixel 7; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/130.0.0.0 Mobile Safari/537.36 XWEB/1300289 MMWEBSDK/20241103 MicroMessenger/8.0.55.2780(0x28003737) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64";
const WECHAT_IOS =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.38(0x1800262c) NetType/WIFI Language/zh_CN";
const WECHAT_WINDOWS =
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/81.0.4044.138 Safari/537.36 NetType/WIFI MicroMessenger/7.0.20.1781(0x6700143B) WindowsWechat(0x63090a13)";
const SAFARI_IOS =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
const CHROME_ANDROID =
  "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Mobile Safari/537.36";
const UC_ANDROID =
  "Mozilla/5.0 (Linux; U; Android 13; zh-CN; V2183A Build/TP1A.220624.014) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/100.0.4896.58 UCBrowser/15.5.0.1280 Mobile Safari/537.36";
const CHROME_DESKTOP =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36";
const SAFARI_MAC =
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15";

describe("detectClientKind", () => {
  it("sends WeChat's in-app browser to JSAPI on Android, iOS and the PC client", () => {
    expect(detectClientKind(WECHAT_ANDROID)).toBe("wechat");
    expect(detectClientKind(WECHAT_IOS)).toBe("wechat");
    expect(detectClientKind(WECHAT_WINDOWS)).toBe("wechat");
  });

  it("sends other mobile browsers to H5 (MWEB)", () => {
    expect(detectClientKind(SAFARI_IOS)).toBe("mobile");
    expect(detectClientKind(CHROME_ANDROID)).toBe("mobile");
    expect(detectClientKind(UC_ANDROID)).toBe("mobile");
  });

  it("recognises desktop browsers, and a missing user agent, as unable to pay", () => {
    expect(detectClientKind(CHROME_DESKTOP)).toBe("desktop");
    expect(detectClientKind(SAFARI_MAC)).toBe("desktop");
    expect(detectClientKind(undefined)).toBe("desktop");
    expect(detectClientKind("")).toBe("desktop");
  });

  it("treats a desktop browser as WeChat in the developer's 'as WeChat' mode", () => {
    expect(detectClientKind(CHROME_DESKTOP, { asWechat: true })).toBe("wechat");
  });
});

describe("isIosUserAgent", () => {
  it("tells iOS WeChat (which signs the landing URL) from Android WeChat", () => {
    expect(isIosUserAgent(WECHAT_IOS)).toBe(true);
    expect(isIosUserAgent(WECHAT_ANDROID)).toBe(false);
  });
});
