import { describe, expect, it } from "vitest";

import { WechatPayError } from "../../src/shared/errors";
import { jsSdkSignature, jsSdkSignString } from "../../src/v2/jssdk";
import { vectors } from "./vectors";

describe("JS-SDK wx.config signature", () => {
  for (const v of vectors.jssdk) {
    it(`${v.name} gives ${v.expected}`, () => {
      expect(
        jsSdkSignature({
          jsapiTicket: v.jsapi_ticket,
          nonceStr: v.noncestr,
          timestamp: v.timestamp,
          url: v.url,
        }),
      ).toBe(v.expected);
      expect(
        jsSdkSignature({
          jsapiTicket: v.jsapi_ticket,
          nonceStr: v.noncestr,
          timestamp: Number(v.timestamp),
          url: v.url,
        }),
      ).toBe(v.expected);
    });
  }

  it("ignores everything from '#' on", () => {
    const v = vectors.jssdk[0];
    if (!v) throw new Error("no vector");
    const i = { jsapiTicket: v.jsapi_ticket, nonceStr: v.noncestr, timestamp: v.timestamp };
    expect(jsSdkSignature({ ...i, url: `${v.url}#/pay?x=1` })).toBe(v.expected);
    expect(jsSdkSignString({ ...i, url: `${v.url}#frag` })).toBe(
      `jsapi_ticket=${v.jsapi_ticket}&noncestr=${v.noncestr}&timestamp=${v.timestamp}&url=${v.url}`,
    );
  });

  it("signs the URL raw: an encoded URL is a different signature", () => {
    const i = { jsapiTicket: "t", nonceStr: "n", timestamp: 1 };
    expect(jsSdkSignature({ ...i, url: "https://a.example/p?q=%E4%B8%AD" })).not.toBe(
      jsSdkSignature({ ...i, url: "https://a.example/p?q=中" }),
    );
  });

  it("refuses a relative URL, a millisecond-looking float and empty inputs", () => {
    for (const bad of [
      { jsapiTicket: "t", nonceStr: "n", timestamp: 1, url: "/p" },
      { jsapiTicket: "t", nonceStr: "n", timestamp: 1.5, url: "https://a.example/" },
      { jsapiTicket: "", nonceStr: "n", timestamp: 1, url: "https://a.example/" },
      { jsapiTicket: "t", nonceStr: "", timestamp: 1, url: "https://a.example/" },
    ]) {
      expect(() => jsSdkSignature(bad)).toThrow(WechatPayError);
    }
  });
});
