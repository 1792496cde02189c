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

describe("go-live configuration", () => {
  it("reads WeChat's domain verification files as name=content pairs", () => {
    expect(parseEnv({}).WECHAT_MP_VERIFY).toEqual({});
    expect(
      parseEnv({ WECHAT_MP_VERIFY: " MP_verify_abc.txt=abc123 , MP_verify_Xy9.txt=Xy9Q," }).WECHAT_MP_VERIFY,
    ).toEqual({ "MP_verify_abc.txt": "abc123", "MP_verify_Xy9.txt": "Xy9Q" });
    expect(() => parseEnv({ WECHAT_MP_VERIFY: "verify.txt=abc" })).toThrow(/WECHAT_MP_VERIFY: "verify.txt"/);
    expect(() => parseEnv({ WECHAT_MP_VERIFY: "MP_verify_abc.txt" })).toThrow(/WECHAT_MP_VERIFY/);
  });

  it("migrates on start unless MIGRATE_ON_START is false", () => {
    expect(parseEnv({}).MIGRATE_ON_START).toBe(true);
    expect(parseEnv({ MIGRATE_ON_START: "false" }).MIGRATE_ON_START).toBe(false);
    expect(parseEnv({ MIGRATE_ON_START: "0" }).MIGRATE_ON_START).toBe(false);
    expect(() => parseEnv({ MIGRATE_ON_START: "no" })).toThrow(/MIGRATE_ON_START: true or false/);
  });
});
