// JS-SDK wx.config signature (附录1): sha1 over jsapi_ticket, noncestr, timestamp, url — lower-case names,
// ASCII order, raw values, url without "#…". Lower-case hex.
import { createHash } from "node:crypto";

import { WechatPayError } from "../shared/errors";

export type JsSdkSignatureInput = {
  jsapiTicket: string;
  nonceStr: string;
  timestamp: string | number;
  url: string;
};

/** The exact string that is hashed; exposed so a debug endpoint can show what was signed (never the ticket in logs). */
export function jsSdkSignString(i: JsSdkSignatureInput): string {
  const timestamp = String(i.timestamp);
  if (!/^[0-9]{1,12}$/.test(timestamp))
    throw new WechatPayError("BAD_TIMESTAMP", "timestamp must be epoch seconds");
  if (!i.jsapiTicket) throw new WechatPayError("BAD_TICKET", "jsapi_ticket is empty");
  if (!i.nonceStr) throw new WechatPayError("BAD_NONCE", "nonceStr is empty");
  const hash = i.url.indexOf("#");
  // WeChat: "url…不包含#及其后面部分".
  const url = hash === -1 ? i.url : i.url.slice(0, hash);
  if (!/^https?:\/\//i.test(url))
    throw new WechatPayError("BAD_URL", "url must be the page's absolute http(s) URL");
  return `jsapi_ticket=${i.jsapiTicket}&noncestr=${i.nonceStr}&timestamp=${timestamp}&url=${url}`;
}

export function jsSdkSignature(i: JsSdkSignatureInput): string {
  return createHash("sha1").update(jsSdkSignString(i), "utf8").digest("hex");
}
