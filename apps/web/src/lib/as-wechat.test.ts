import { describe, expect, it } from "vitest";

import { safeReturnPath, simulatorOrigin } from "./as-wechat";

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
      "",
      null,
    ]) {
      expect(safeReturnPath(bad)).toBe("/");
    }
  });
});
