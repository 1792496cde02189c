import { describe, expect, it } from "vitest";

import { asWechatModeAvailable, safeReturnPath, simulatorOrigin } from "./as-wechat";

describe("simulatorOrigin", () => {
  it("offers the mode against the local simulator", () => {
    expect(simulatorOrigin("http://localhost:3100")).toBe("http://localhost:3100");
    expect(simulatorOrigin("http://127.0.0.1:41234/")).toBe("http://127.0.0.1:41234");
  });

  it("never offers it against WeChat itself", () => {
    expect(simulatorOrigin("https://open.weixin.qq.com")).toBeUndefined();
    expect(simulatorOrigin("https://api.mch.weixin.qq.com")).toBeUndefined();
    expect(simulatorOrigin("not a url")).toBeUndefined();
  });
});

describe("safeReturnPath", () => {
  it("keeps same-site paths with their query", () => {
    expect(safeReturnPath("/orders/o_abc?x=1")).toBe("/orders/o_abc?x=1");
  });

  it("refuses anything that would leave the site", () => {
    for (const bad of [
      "//evil.example/",
      "https://evil.example/",
      "/\\evil.example",
      "javascript:alert(1)",
      // Browsers drop tabs and newlines inside URLs: these become "//evil.example".
      "/\t/evil.example",
      "/\n/evil.example",
      "/\r\n/evil.example",
      "\t//evil.example",
      "/%09/evil.example/../x\\",
      "/ /evil.example",
      "",
      null,
    ]) {
      expect(safeReturnPath(bad)).toBe("/");
    }
  });
});

describe("asWechatModeAvailable", () => {
  const sim = "http://localhost:3100";
  const simulated = { WECHAT_PAY_BASE: sim, WECHAT_API_BASE: sim, WECHAT_OPEN_BASE: sim };
  it("exists only in development against the simulator", () => {
    expect(asWechatModeAvailable({ NODE_ENV: "development", ...simulated })).toBe(true);
    expect(asWechatModeAvailable({ NODE_ENV: "test", ...simulated })).toBe(true);
  });
  it("never in a production build, and never when any WeChat host is the real one", () => {
    expect(asWechatModeAvailable({ NODE_ENV: "production", ...simulated })).toBe(false);
    for (const key of ["WECHAT_PAY_BASE", "WECHAT_API_BASE", "WECHAT_OPEN_BASE"] as const) {
      expect(
        asWechatModeAvailable({ NODE_ENV: "development", ...simulated, [key]: "https://api.weixin.qq.com" }),
      ).toBe(false);
    }
  });
});
