import fc from "fast-check";
import { describe, expect, it } from "vitest";

import { WechatPayError } from "../../src/shared/errors";
import {
  appendRedirectUrl,
  fenToYuanString,
  fitBody,
  formatBeijingTime,
  generateOutTradeNo,
  isValidOutTradeNo,
  nonceStr,
  parseBeijingTime,
  parseFen,
  yuanStringToFen,
} from "../../src/v2/fields";

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(WechatPayError);
    return (e as WechatPayError).code;
  }
  throw new Error("expected a WechatPayError");
}

describe("Beijing time", () => {
  it("formats in UTC+8 whatever the host zone", () => {
    expect(formatBeijingTime(new Date("2014-09-03T05:15:40Z"))).toBe("20140903131540");
    expect(formatBeijingTime(new Date("2024-12-31T16:00:00Z"))).toBe("20250101000000");
  });

  it("parses the notify's time_end back to the same instant", () => {
    expect(parseBeijingTime("20140903131540").toISOString()).toBe("2014-09-03T05:15:40.000Z");
  });

  it("rejects impossible and malformed times", () => {
    for (const bad of [
      "20240230120000",
      "20241301000000",
      "20240101240000",
      "20240101006000",
      "2024010100000",
      "2024-01-01 00:00:00",
      "",
    ]) {
      expect(code(() => parseBeijingTime(bad))).toBe("BAD_TIME");
    }
    expect(code(() => formatBeijingTime(new Date(NaN)))).toBe("BAD_TIME");
  });

  it("property: format → parse is the identity at second precision", () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2099, 11, 31) }), (ms) => {
        const d = new Date(ms - (ms % 1000));
        expect(parseBeijingTime(formatBeijingTime(d)).getTime()).toBe(d.getTime());
      }),
    );
  });
});

describe("nonceStr and out_trade_no", () => {
  it("nonceStr is alphanumeric of the asked length, ≤ 32", () => {
    expect(nonceStr()).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(nonceStr(16)).toMatch(/^[A-Za-z0-9]{16}$/);
    expect(code(() => nonceStr(33))).toBe("BAD_LENGTH");
    expect(code(() => nonceStr(0))).toBe("BAD_LENGTH");
  });

  it("out_trade_no fits WeChat's rule, starts with the Beijing date and does not repeat", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const n = generateOutTradeNo(new Date("2024-12-31T16:30:00Z"));
      expect(isValidOutTradeNo(n)).toBe(true);
      expect(n).toHaveLength(32);
      expect(n.startsWith("20250101")).toBe(true);
      seen.add(n);
    }
    expect(seen.size).toBe(2000);
  });

  it("out_trade_no random part uses the whole alphabet (≥ 96 bits: 24 chars of 62)", () => {
    const chars = new Set(Array.from({ length: 400 }, () => generateOutTradeNo().slice(8)).join(""));
    expect(chars.size).toBe(62);
  });

  it("isValidOutTradeNo follows the 6–32 and charset rule", () => {
    expect(isValidOutTradeNo("abc12")).toBe(false);
    expect(isValidOutTradeNo("a".repeat(33))).toBe(false);
    expect(isValidOutTradeNo("ab_-|*12")).toBe(true);
    expect(isValidOutTradeNo("ab@12345")).toBe(false);
  });
});

describe("fitBody", () => {
  it("keeps a short body as is", () => {
    expect(fitBody("腾讯-游戏")).toBe("腾讯-游戏");
  });

  it("removes 4-byte characters", () => {
    expect(fitBody("咖啡☕🍰蛋糕😀")).toBe("咖啡☕蛋糕");
  });

  it("cuts to 127 UTF-8 bytes on a character boundary", () => {
    const b = fitBody("中".repeat(100));
    expect(Buffer.byteLength(b)).toBe(126);
    expect(b).toBe("中".repeat(42));
    expect(fitBody("a" + "中".repeat(100))).toHaveLength(43);
    expect(fitBody("x".repeat(200))).toHaveLength(127);
  });

  it("property: output ≤ maxBytes, no 4-byte characters, a prefix of the cleaned input", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "binary", maxLength: 200 }),
        fc.integer({ min: 1, max: 200 }),
        (s, max) => {
          const out = fitBody(s, max);
          expect(Buffer.byteLength(out)).toBeLessThanOrEqual(max);
          expect(/[\uD800-\uDFFF]/.test(out)).toBe(false);
          const cleaned = fitBody(s, 10_000);
          expect(cleaned.startsWith(out)).toBe(true);
        },
      ),
    );
  });
});

describe("appendRedirectUrl", () => {
  it("appends an urlencoded redirect_url, as WeChat's example shows", () => {
    expect(
      appendRedirectUrl(
        "https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id=wx20161110163838f231619da20804912345&package=1037687096",
        "https://www.wechatpay.com.cn",
      ),
    ).toBe(
      "https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id=wx20161110163838f231619da20804912345&package=1037687096&redirect_url=https%3A%2F%2Fwww.wechatpay.com.cn",
    );
  });

  it("encodes the redirect's own query so it survives the round trip", () => {
    const url = appendRedirectUrl(
      "http://localhost:3100/mweb?prepay_id=wx1",
      "https://shop.example/pay/result?order=o1&x=1",
    );
    expect(new URL(url).searchParams.get("redirect_url")).toBe(
      "https://shop.example/pay/result?order=o1&x=1",
    );
  });

  it("rejects relative or non-http URLs and a second redirect_url", () => {
    expect(code(() => appendRedirectUrl("https://wx.tenpay.com/x?a=1", "/result"))).toBe("BAD_URL");
    expect(code(() => appendRedirectUrl("https://wx.tenpay.com/x?a=1", "javascript:alert(1)"))).toBe(
      "BAD_URL",
    );
    expect(code(() => appendRedirectUrl("https://wx.tenpay.com/x?redirect_url=a", "https://a.example"))).toBe(
      "BAD_URL",
    );
  });
});

describe("money", () => {
  it("converts fen to yuan strings without floats", () => {
    expect(fenToYuanString(1)).toBe("0.01");
    expect(fenToYuanString(1990)).toBe("19.90");
    expect(fenToYuanString(0)).toBe("0.00");
    expect(fenToYuanString(-3960)).toBe("-39.60");
    expect(code(() => fenToYuanString(0.5))).toBe("BAD_AMOUNT");
  });

  it("converts yuan strings to fen exactly (19.90 is 1990, not 1989)", () => {
    expect(yuanStringToFen("19.90")).toBe(1990);
    expect(yuanStringToFen("0.01")).toBe(1);
    expect(yuanStringToFen("39.6")).toBe(3960);
    expect(yuanStringToFen("100")).toBe(10000);
    expect(yuanStringToFen("-0.10")).toBe(-10);
    for (const bad of ["", "1.234", "1e3", "01.00", " 1", "1,00", "+1", ".5", "NaN"]) {
      expect(code(() => yuanStringToFen(bad))).toBe("BAD_AMOUNT");
    }
  });

  it("property: yuan ↔ fen round-trips", () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), (fen) => {
        expect(yuanStringToFen(fenToYuanString(fen))).toBe(fen);
      }),
    );
  });

  it("parseFen accepts only positive integers without sign or leading zero", () => {
    expect(parseFen("1")).toBe(1);
    expect(parseFen("2147483647")).toBe(2147483647);
    for (const bad of ["0", "01", "-1", "1.0", "1e3", " 1", "", undefined]) {
      expect(code(() => parseFen(bad))).toBe("BAD_AMOUNT");
    }
  });
});
