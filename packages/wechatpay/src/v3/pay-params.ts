// What the front end needs to pay a v3 order: JSAPI (WeixinJSBridge getBrandWCPayRequest / wx.chooseWXPay) and
// mini-program (wx.requestPayment) parameters signed with the merchant key (signType "RSA"), the H5 URL with
// redirect_url, and Native's code_url.
import type { KeyObject } from "node:crypto";

import { signSha256WithRsa } from "./crypto";
import { checkText, h5UrlWithRedirect, v3Nonce } from "./fields";

export type TV3PaySignInput = {
  /** The AppID the order was placed with (official account for JSAPI, mini-program for 小程序). */
  appId: string;
  prepayId: string;
  /** The merchant API private key — the same key that signed the order. */
  privateKey: KeyObject | string;
  /** Unix seconds as a string; default now. */
  timeStamp?: string;
  nonceStr?: string;
};

/** For WeixinJSBridge.invoke("getBrandWCPayRequest", …); note the capital I in appId. */
export type TV3JsapiPayParams = {
  appId: string;
  timeStamp: string;
  nonceStr: string;
  package: string;
  signType: "RSA";
  paySign: string;
};

/** For wx.requestPayment: no appId parameter, but the signature still starts with the mini-program AppID. */
export type TV3MiniPayParams = Omit<TV3JsapiPayParams, "appId">;

/** WeChat: paySign = SHA256withRSA over "appId\ntimeStamp\nnonceStr\nprepay_id=…\n" (4 lines, trailing \n). */
export function v3PaySignMessage(appId: string, timeStamp: string, nonceStr: string, pkg: string): string {
  return `${appId}\n${timeStamp}\n${nonceStr}\n${pkg}\n`;
}

export function v3JsapiPayParams(i: TV3PaySignInput): TV3JsapiPayParams {
  checkText(i.appId, "appId", 32);
  checkText(i.prepayId, "prepay_id", 64);
  const timeStamp = i.timeStamp ?? String(Math.floor(Date.now() / 1000));
  // WeChat: timeStamp is Unix seconds (10 digits), not milliseconds.
  if (!/^[0-9]{1,10}$/.test(timeStamp)) throw new TypeError("timeStamp must be Unix seconds");
  const nonceStr = i.nonceStr ?? v3Nonce();
  const pkg = `prepay_id=${i.prepayId}`;
  return {
    appId: i.appId,
    timeStamp,
    nonceStr,
    package: pkg,
    signType: "RSA",
    paySign: signSha256WithRsa(i.privateKey, v3PaySignMessage(i.appId, timeStamp, nonceStr, pkg)),
  };
}

export function v3MiniProgramPayParams(i: TV3PaySignInput): TV3MiniPayParams {
  const { appId: _appId, ...rest } = v3JsapiPayParams(i);
  return rest;
}

/** For wx.chooseWXPay (JS-SDK): lower-case `timestamp`, no appId (wx.config carries it); the signature is the same. */
export type TV3ChooseWXPayParams = Omit<TV3JsapiPayParams, "appId" | "timeStamp"> & { timestamp: string };

/** WeChat JS-SDK: "所有使用timestamp字段均为小写", while the signed message still uses the appId and timeStamp. */
export function v3ChooseWXPayParams(i: TV3PaySignInput): TV3ChooseWXPayParams {
  const { appId: _appId, timeStamp, ...rest } = v3JsapiPayParams(i);
  return { timestamp: timeStamp, ...rest };
}

/** H5: navigate to h5_url with redirect_url appended (WeChat: h5_url is valid for 5 minutes). */
export function v3H5PayUrl(h5Url: string, redirectUrl: string): string {
  return h5UrlWithRedirect(h5Url, redirectUrl);
}

/** Native: code_url as received is what the QR code encodes (WeChat: valid for 2 hours). */
export function v3NativeCodeUrl(codeUrl: string): string {
  if (!/^weixin:\/\//.test(codeUrl)) throw new TypeError("code_url is a weixin:// URL");
  return codeUrl;
}
