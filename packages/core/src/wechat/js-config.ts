import { jsSdkSignature, nonceStr } from "@wxpay/wechatpay";

import type { CoreDeps } from "../deps";
import { CoreError } from "../errors";
import { getJsapiTicket } from "./credentials";

export type TJsConfig = {
  appId: string;
  timestamp: number;
  nonceStr: string;
  signature: string;
  jsApiList: string[];
};

export const JS_API_LIST = ["chooseWXPay"];

/**
 * The wx.config signature for a page of this shop. Only URLs on APP_URL's origin are signed: the endpoint must
 * not become a signing oracle for other sites.
 */
export async function jsConfig(deps: CoreDeps, input: { url: string }): Promise<TJsConfig> {
  let url: URL;
  try {
    url = new URL(input.url);
  } catch {
    throw new CoreError("URL_NOT_ALLOWED", "页面地址无效");
  }
  if (url.origin !== new URL(deps.config.appUrl).origin || url.username || url.password) {
    throw new CoreError("URL_NOT_ALLOWED", "页面地址不在本站");
  }
  // WeChat: the signed url is the full page URL without '#' and what follows it.
  const hash = input.url.indexOf("#");
  const signedUrl = hash >= 0 ? input.url.slice(0, hash) : input.url;
  const jsapiTicket = await getJsapiTicket(deps).catch((err: unknown) => {
    deps.log.error("jsapi_ticket unavailable", { error: String(err) });
    throw new CoreError("WECHAT_BUSY", "微信服务暂时不可用，请稍后重试", { cause: err });
  });
  const timestamp = Math.floor(deps.now().getTime() / 1000);
  const nonce = nonceStr(16);
  return {
    appId: deps.config.officialAccount.appId,
    timestamp,
    nonceStr: nonce,
    signature: jsSdkSignature({ jsapiTicket, nonceStr: nonce, timestamp, url: signedUrl }),
    jsApiList: JS_API_LIST,
  };
}
