import { describe, expect, it } from "vitest";

import {
  h5UrlWithRedirect,
  loadPublicKey,
  v3ChooseWXPayParams,
  v3H5PayUrl,
  v3JsapiPayParams,
  v3MiniProgramPayParams,
  v3NativeCodeUrl,
  v3PaySignMessage,
  verifySha256WithRsa,
} from "@wxpay/wechatpay/v3";

import { merchant } from "../helpers/wechat-pay-v3-server";
import { ref, str, vector } from "./vectors";

describe("JSAPI and mini-program pay parameters (signType RSA)", () => {
  it("official_jsapi_paysign: the official inputs give the official paySign", () => {
    const v = vector("pay_sign", "official_jsapi_paysign");
    const p = v3JsapiPayParams({
      appId: str(v.inputs, "appId"),
      prepayId: str(v.inputs, "package").replace("prepay_id=", ""),
      privateKey: ref("keys.official_doc_test_key.private_key_pem"),
      timeStamp: str(v.inputs, "timeStamp"),
      nonceStr: str(v.inputs, "nonceStr"),
    });
    expect(p).toEqual({
      appId: "wx2421b1c4370ec43b",
      timeStamp: "1554208460",
      nonceStr: "593BEC0C930BF1AFEB40B4A08C8FB242",
      package: "prepay_id=wx201410272009395522657a690389285100",
      signType: "RSA",
      paySign: str(v.expected, "paySign"),
    });
  });

  it("wx.requestPayment gets no appId, but its paySign still covers the mini-program AppID", () => {
    const p = v3MiniProgramPayParams({
      appId: "wx2421b1c4370ec43b",
      prepayId: "wx2",
      privateKey: merchant.privateKeyPem,
    });
    expect(p).not.toHaveProperty("appId");
    expect(p.signType).toBe("RSA");
    expect(p.timeStamp).toMatch(/^\d{10}$/);
    const message = v3PaySignMessage("wx2421b1c4370ec43b", p.timeStamp, p.nonceStr, p.package);
    expect(verifySha256WithRsa(loadPublicKey(merchant.certificatePem), message, p.paySign)).toBe(true);
  });

  it("wx.chooseWXPay gets a lower-case timestamp and the same paySign as getBrandWCPayRequest", () => {
    const input = {
      appId: "wx2421b1c4370ec43b",
      prepayId: "wx2",
      privateKey: merchant.privateKeyPem,
      timeStamp: "1554208460",
      nonceStr: "593BEC0C930BF1AFEB40B4A08C8FB242",
    };
    const bridge = v3JsapiPayParams(input);
    const sdk = v3ChooseWXPayParams(input);
    expect(sdk).toEqual({
      timestamp: "1554208460",
      nonceStr: bridge.nonceStr,
      package: "prepay_id=wx2",
      signType: "RSA",
      paySign: bridge.paySign,
    });
  });

  it("a millisecond timestamp is refused", () => {
    expect(() =>
      v3JsapiPayParams({
        appId: "wx1",
        prepayId: "wx2",
        privateKey: merchant.privateKeyPem,
        timeStamp: "1554208460000",
      }),
    ).toThrow(/seconds/);
  });
});

describe("H5 and Native", () => {
  it("h5_url gets redirect_url appended, URL-encoded", () => {
    expect(
      v3H5PayUrl(
        "https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id=wx20161110163838f231619da20804912345&package=1037687096",
        "https://www.wechatpay.com.cn",
      ),
    ).toBe(
      "https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id=wx20161110163838f231619da20804912345&package=1037687096&redirect_url=https%3A%2F%2Fwww.wechatpay.com.cn",
    );
    expect(() =>
      h5UrlWithRedirect("https://wx.tenpay.com/x?redirect_url=a", "https://shop.example.com"),
    ).toThrow(/already/);
    expect(() => h5UrlWithRedirect("https://wx.tenpay.com/x", "javascript:alert(1)")).toThrow(/http/);
  });

  it("code_url is passed through as the QR payload, and nothing but weixin:// is", () => {
    expect(v3NativeCodeUrl("weixin://wxpay/bizpayurl?pr=p4lpSuKzz")).toBe(
      "weixin://wxpay/bizpayurl?pr=p4lpSuKzz",
    );
    expect(() => v3NativeCodeUrl("https://evil.example")).toThrow();
  });
});
