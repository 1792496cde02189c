// Which way a browser can pay, from its user agent: WeChat's in-app browser pays with JSAPI, any other
// mobile browser with H5 (MWEB), and a desktop browser cannot pay at all (MWEB is mobile-only).
export type TClientKind = "wechat" | "mobile" | "desktop";

/** WeChat: its in-app browser (phone, and the PC client) always carries `MicroMessenger/<version>`. */
export function isWechatUserAgent(userAgent: string | null | undefined): boolean {
  return /micromessenger/i.test(userAgent ?? "");
}

export function isIosUserAgent(userAgent: string | null | undefined): boolean {
  return /iphone|ipad|ipod/i.test(userAgent ?? "");
}

const MOBILE = /android|iphone|ipad|ipod|mobile|harmonyos|openharmony|windows phone/i;

export function detectClientKind(
  userAgent: string | null | undefined,
  opts: { asWechat?: boolean } = {},
): TClientKind {
  if (opts.asWechat || isWechatUserAgent(userAgent)) return "wechat";
  return MOBILE.test(userAgent ?? "") ? "mobile" : "desktop";
}
