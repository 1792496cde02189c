import { describe, expect, it } from "vitest";

import { appCodeOf, errorText, NETWORK_ERROR_TEXT, UNKNOWN_ERROR_TEXT } from "./error-text";

/** The shape a TRPCClientError has on the client: name, message and the server's error data. */
function clientError(data: unknown, message = "terse server message") {
  return Object.assign(new Error(message), { name: "TRPCClientError", data });
}

describe("errorText", () => {
  it("shows a Chinese sentence for each API error code, never the code", () => {
    const codes = [
      "NOT_FOUND",
      "UNKNOWN_SKU",
      "OAUTH_REQUIRED",
      "LOGIN_REQUIRED",
      "ORDER_PAID",
      "ORDER_CLOSED",
      "WECHAT_BUSY",
      "WECHAT_REJECTED",
      "URL_NOT_ALLOWED",
      "TOO_MANY_REQUESTS",
      "TOO_MANY_OPEN_ORDERS",
    ];
    const texts = new Set<string>();
    for (const code of codes) {
      const text = errorText(clientError({ code: "BAD_REQUEST", appCode: code }));
      expect(text).toMatch(/[\u4e00-\u9fff]/);
      expect(text).not.toContain(code);
      expect(text).not.toBe(UNKNOWN_ERROR_TEXT);
      texts.add(text);
    }
    expect(texts.size).toBe(codes.length);
  });

  it("tells a closed order to place a new one and a busy WeChat to try again", () => {
    expect(errorText(clientError({ appCode: "ORDER_CLOSED" }))).toContain("重新下单");
    expect(errorText(clientError({ appCode: "WECHAT_BUSY" }))).toContain("再试");
  });

  it("calls a failure without a server answer a network problem", () => {
    expect(errorText(clientError(undefined, "Failed to fetch"))).toBe(NETWORK_ERROR_TEXT);
  });

  it("never shows the server's message or an unknown code", () => {
    const text = errorText(clientError({ appCode: "SOMETHING_NEW" }, "SIGNERROR at unifiedorder"));
    expect(text).toBe(UNKNOWN_ERROR_TEXT);
    expect(errorText(new Error("boom"))).toBe(UNKNOWN_ERROR_TEXT);
    expect(errorText("a string")).toBe(UNKNOWN_ERROR_TEXT);
  });
});

describe("appCodeOf", () => {
  it("reads error.data.appCode and ignores anything else", () => {
    expect(appCodeOf(clientError({ appCode: "ORDER_PAID" }))).toBe("ORDER_PAID");
    expect(appCodeOf(clientError({ appCode: "toString" }))).toBeUndefined();
    expect(appCodeOf(clientError(null))).toBeUndefined();
    expect(appCodeOf(null)).toBeUndefined();
  });
});
