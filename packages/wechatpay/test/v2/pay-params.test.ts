import { describe, expect, it } from "vitest";

import { WechatPayError } from "../../src/shared/errors";
import { chooseWXPayParams, jsapiPayParams, miniPayParams, verifyPaySign } from "../../src/v2/pay-params";
import { sign } from "../../src/v2/sign";
import { vectors } from "./vectors";

function inputFrom(v: (typeof vectors.paySign)[number]) {
  return {
    appId: v.params.appId as string,
    prepayId: (v.params.package as string).replace(/^prepay_id=/, ""),
    key: v.key,
    signType: v.signType,
    timeStamp: v.params.timeStamp as string,
    nonceStr: v.params.nonceStr as string,
  };
}

describe("client pay parameters: the official paySign vectors", () => {
  for (const v of vectors.paySign) {
    it(`${v.name}: all three shapes carry ${v.expected}`, () => {
      const i = inputFrom(v);
      const bridge = jsapiPayParams(i);
      expect(bridge).toEqual({ ...v.params, paySign: v.expected });
      expect(chooseWXPayParams(i)).toEqual({
        timestamp: v.params.timeStamp,
        nonceStr: v.params.nonceStr,
        package: v.params.package,
        signType: v.signType,
        paySign: v.expected,
      });
      expect(miniPayParams(i)).toEqual({
        timeStamp: v.params.timeStamp,
        nonceStr: v.params.nonceStr,
        package: v.params.package,
        signType: v.signType,
        paySign: v.expected,
      });
      expect(verifyPaySign(bridge, [v.key])).toBe(true);
    });
  }
});

describe("client pay parameters: the classic mistakes cannot happen", () => {
  const key = "192006250b4c09247ec02edce69f6a2d";
  const base = {
    appId: "wxd930ea5d5a258f4f",
    prepayId: "wx201411101639507cbf6ffd8b0779950874",
    key,
    signType: "MD5" as const,
  };

  it("chooseWXPay has only lower-case timestamp and no appId, yet is signed as timeStamp with appId", () => {
    const p = chooseWXPayParams({ ...base, timeStamp: "1414587457", nonceStr: "abc" });
    expect(Object.keys(p).sort()).toEqual(["nonceStr", "package", "paySign", "signType", "timestamp"]);
    const expected = sign(
      {
        appId: base.appId,
        timeStamp: "1414587457",
        nonceStr: "abc",
        package: `prepay_id=${base.prepayId}`,
        signType: "MD5",
      },
      key,
      "MD5",
    );
    expect(p.paySign).toBe(expected);
    const wrong = sign(
      {
        appId: base.appId,
        timestamp: "1414587457",
        nonceStr: "abc",
        package: `prepay_id=${base.prepayId}`,
        signType: "MD5",
      },
      key,
      "MD5",
    );
    expect(p.paySign).not.toBe(wrong);
  });

  it("requestPayment params do not carry appId but depend on it", () => {
    const a = miniPayParams({ ...base, timeStamp: "1414587457", nonceStr: "abc" });
    const b = miniPayParams({
      ...base,
      appId: "wx2421b1c4370ec43b",
      timeStamp: "1414587457",
      nonceStr: "abc",
    });
    expect(a).not.toHaveProperty("appId");
    expect(a.paySign).not.toBe(b.paySign);
  });

  it("defaults to a 10-digit seconds timestamp and a fresh 32-char nonce", () => {
    const before = Math.floor(Date.now() / 1000);
    const p = jsapiPayParams(base);
    expect(p.timeStamp).toMatch(/^\d{10}$/);
    expect(Number(p.timeStamp)).toBeGreaterThanOrEqual(before);
    expect(p.nonceStr).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(p.package).toBe(`prepay_id=${base.prepayId}`);
  });

  it("refuses millisecond timestamps, a package-shaped prepayId and an unknown sign type", () => {
    const codes = [
      () => jsapiPayParams({ ...base, timeStamp: String(Date.now()) }),
      () => jsapiPayParams({ ...base, prepayId: `prepay_id=${base.prepayId}` }),
      () => jsapiPayParams({ ...base, signType: "SHA1" as "MD5" }),
      () => jsapiPayParams({ ...base, nonceStr: "x".repeat(33) }),
    ].map((fn) => {
      try {
        fn();
        return "none";
      } catch (e) {
        return e instanceof WechatPayError ? e.code : "untyped";
      }
    });
    expect(codes).toEqual(["BAD_TIMESTAMP", "BAD_PREPAY_ID", "BAD_SIGN_TYPE", "BAD_NONCE"]);
  });

  it("verifyPaySign rejects a changed field, a wrong key and a signType swap", () => {
    const p = jsapiPayParams({ ...base, signType: "HMAC-SHA256" });
    expect(verifyPaySign(p, [key])).toBe(true);
    expect(verifyPaySign({ ...p, timeStamp: String(Number(p.timeStamp) + 1) }, [key])).toBe(false);
    expect(verifyPaySign(p, ["0".repeat(32)])).toBe(false);
    expect(verifyPaySign({ ...p, signType: "MD5" }, [key])).toBe(false);
    expect(verifyPaySign({ ...p, signType: "RSA" }, [key])).toBe(false);
  });
});
