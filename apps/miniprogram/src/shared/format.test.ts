import { describe, expect, test } from "vitest";

import { appCodeOf, appCodeText, errorText } from "./errors";
import { formatBeijingTime, formatYuan, statusText } from "./format";
import { paymentHint } from "./wx-calls";

describe("formatYuan", () => {
  test.each([
    [0, "¥0.00"],
    [1, "¥0.01"],
    [10, "¥0.10"],
    [99, "¥0.99"],
    [100, "¥1.00"],
    [12800, "¥128.00"],
    [123456789, "¥1234567.89"],
    [-150, "-¥1.50"],
  ])("%i fen is %s", (fen, text) => {
    expect(formatYuan(fen)).toBe(text);
  });

  test("refuses what is not a whole number of fen", () => {
    expect(() => formatYuan(1.5)).toThrow(RangeError);
    expect(() => formatYuan(Number.NaN)).toThrow(RangeError);
  });
});

test("Beijing time is UTC+8 whatever the device's zone", () => {
  expect(formatBeijingTime("2026-05-01T16:05:00.000Z")).toBe("2026-05-02 00:05");
  expect(formatBeijingTime("not a date")).toBe("");
});

test("every order status has a shopper's sentence", () => {
  expect(statusText("PAID")).toBe("支付成功");
  expect(statusText("PENDING")).toBe("待支付");
  expect(statusText("CLOSED")).toBe("订单已关闭");
});

describe("errors", () => {
  test("an appCode from the server picks its sentence", () => {
    const err = { data: { code: "CONFLICT", appCode: "ORDER_CLOSED" } };
    expect(appCodeOf(err)).toBe("ORDER_CLOSED");
    expect(errorText(err)).toBe("订单已关闭或已过期，请重新下单");
    expect(appCodeText("WECHAT_BUSY")).toBe("微信支付繁忙，请稍后再试");
  });

  test("an unknown appCode or an internal error gets the general sentence, never the raw code", () => {
    expect(appCodeOf({ data: { appCode: "INTERNAL" } })).toBeUndefined();
    expect(errorText({ data: { code: "INTERNAL_SERVER_ERROR", appCode: "INTERNAL" } })).toBe(
      "出了点问题，请稍后再试",
    );
    expect(errorText({ data: { code: "TOO_MANY_REQUESTS" } })).toBe("操作太频繁，请稍后再试");
  });

  test("an error without tRPC data means the API never answered", () => {
    expect(errorText(new Error("request:fail timeout"))).toBe("网络不太好，请检查网络后重试");
  });
});

describe("wx.requestPayment outcomes (WeChat's errMsg strings)", () => {
  test.each([
    ["requestPayment:ok", "ok"],
    ["requestPayment:fail cancel", "cancel"],
    ["requestPayment:fail:cancel", "cancel"],
    ["requestPayment:fail 支付失败，请稍后再试", "fail"],
    ["requestPayment:fail", "fail"],
    ["", "fail"],
  ])("%j is %s", (errMsg, hint) => {
    expect(paymentHint(errMsg)).toBe(hint);
  });
});
