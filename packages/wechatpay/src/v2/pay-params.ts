// Client pay parameters: one signing function, three typed shapes (WeChat's "再次签名").
// WeChat: paySign signs exactly appId, timeStamp, nonceStr, package, signType (case-sensitive names, appId with a
// capital I, timeStamp with a capital S) plus "&key=API_KEY"; signType must equal the one used for unifiedorder.
import { WechatPayError } from "../shared/errors";
import { nonceStr as randomNonce } from "./fields";
import { isSignType, sign, verifySign } from "./sign";
import type { SignType } from "./sign";

export type TPackage = `prepay_id=${string}`;

export type PayParamsInput = {
  appId: string;
  prepayId: string;
  key: string;
  signType: SignType;
  /** Seconds since the epoch as a string; defaults to now. */
  timeStamp?: string;
  nonceStr?: string;
};

/** WeixinJSBridge.invoke('getBrandWCPayRequest', …) — all values strings ("所有传入参数都是字符串类型"). */
export type TJsapiPayParams = {
  appId: string;
  timeStamp: string;
  nonceStr: string;
  package: TPackage;
  signType: SignType;
  paySign: string;
};

/** wx.chooseWXPay (JS-SDK): lower-case `timestamp`, no appId (it comes from wx.config), signed as timeStamp with appId. */
export type TChooseWXPayParams = {
  timestamp: string;
  nonceStr: string;
  package: TPackage;
  signType: SignType;
  paySign: string;
};

/** wx.requestPayment (mini-program): appId is signed but not passed. */
export type TMiniPayParams = {
  timeStamp: string;
  nonceStr: string;
  package: TPackage;
  signType: SignType;
  paySign: string;
};

const SECONDS = /^[0-9]{10}$/;
// WeChat: prepay_id is String(64); the caller passes the bare id, the package field adds "prepay_id=".
const PREPAY_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** The one signing function behind all three shapes. */
function signedPayParams(i: PayParamsInput): TJsapiPayParams {
  if (!isSignType(i.signType))
    throw new WechatPayError("BAD_SIGN_TYPE", "sign type must be MD5 or HMAC-SHA256");
  if (typeof i.appId !== "string" || !/^[A-Za-z0-9_-]{1,32}$/.test(i.appId)) {
    throw new WechatPayError("BAD_APPID", "appId must be the appid used for unifiedorder");
  }
  if (typeof i.prepayId !== "string" || !PREPAY_ID.test(i.prepayId)) {
    // A common bug: passing "prepay_id=…" or the unifiedorder sign instead of the bare prepay_id.
    throw new WechatPayError("BAD_PREPAY_ID", "prepayId must be the bare prepay_id from unifiedorder");
  }
  const timeStamp = i.timeStamp ?? String(Math.floor(Date.now() / 1000));
  // WeChat: "部分系统取到的值为毫秒级，需要转换成秒" — a 13-digit value is the classic mistake.
  if (!SECONDS.test(timeStamp))
    throw new WechatPayError("BAD_TIMESTAMP", "timeStamp must be 10-digit epoch seconds");
  const nonce = i.nonceStr ?? randomNonce();
  if (nonce.length < 1 || nonce.length > 32)
    throw new WechatPayError("BAD_NONCE", "nonceStr must be 1–32 characters");
  const pkg: TPackage = `prepay_id=${i.prepayId}`;
  const signed = { appId: i.appId, timeStamp, nonceStr: nonce, package: pkg, signType: i.signType };
  return { ...signed, paySign: sign(signed, i.key, i.signType) };
}

export function jsapiPayParams(i: PayParamsInput): TJsapiPayParams {
  return signedPayParams(i);
}

export function chooseWXPayParams(i: PayParamsInput): TChooseWXPayParams {
  const p = signedPayParams(i);
  // WeChat JS-SDK: "微信jssdk中的所有使用timestamp字段均为小写。但…生成签名使用的timeStamp字段名需大写其中的S字符".
  return {
    timestamp: p.timeStamp,
    nonceStr: p.nonceStr,
    package: p.package,
    signType: p.signType,
    paySign: p.paySign,
  };
}

export function miniPayParams(i: PayParamsInput): TMiniPayParams {
  const p = signedPayParams(i);
  return {
    timeStamp: p.timeStamp,
    nonceStr: p.nonceStr,
    package: p.package,
    signType: p.signType,
    paySign: p.paySign,
  };
}

/** Checks a paySign the way the WeChat client does (used by the simulator's bridge and by tests). */
export function verifyPaySign(
  p: {
    appId: string;
    timeStamp: string;
    nonceStr: string;
    package: string;
    signType: string;
    paySign: string;
  },
  keys: readonly string[],
): boolean {
  if (!isSignType(p.signType)) return false;
  const fields = {
    appId: String(p.appId),
    timeStamp: String(p.timeStamp),
    nonceStr: String(p.nonceStr),
    package: String(p.package),
    signType: p.signType,
    sign: String(p.paySign),
  };
  return verifySign(fields, keys, p.signType);
}
