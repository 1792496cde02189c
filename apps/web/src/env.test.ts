import { describe, expect, it } from "vitest";

import { parseEnv, SANDBOX } from "./env";

describe("configuration", () => {
  it("runs on the simulator's sandbox values when nothing is set", () => {
    const e = parseEnv({});
    expect(e.WECHATPAY_MCH_ID).toBe(SANDBOX.WECHATPAY_MCH_ID);
    expect(e.WECHAT_PAY_BASE).toBe("http://localhost:3100");
    expect(e.WECHATPAY_SIGN_TYPE).toBe("MD5");
    expect(e.TRUST_PROXY_HOPS).toBe(0);
    expect(e.DATABASE_URL).toBeUndefined();
  });

  it("names every invalid variable in one clear error", () => {
    const attempt = () =>
      parseEnv({ WECHATPAY_KEY: "short", WECHATPAY_SIGN_TYPE: "SHA1", APP_URL: "not a url" });
    expect(attempt).toThrow(/WECHATPAY_KEY: exactly 32 characters/);
    expect(attempt).toThrow(/WECHATPAY_SIGN_TYPE/);
    expect(attempt).toThrow(/APP_URL/);
  });

  it("refuses sandbox secrets against real WeChat hosts", () => {
    expect(() => parseEnv({ WECHAT_PAY_BASE: "https://api.mch.weixin.qq.com" })).toThrow(
      /WECHATPAY_KEY is the sandbox value/,
    );
  });

  it("treats an empty DATABASE_URL as unset (embedded PGlite)", () => {
    expect(parseEnv({ DATABASE_URL: "  " }).DATABASE_URL).toBeUndefined();
    expect(parseEnv({ APP_URL: "https://shop.example.com/" }).APP_URL).toBe("https://shop.example.com");
  });
});
