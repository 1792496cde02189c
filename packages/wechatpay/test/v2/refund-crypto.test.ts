import { describe, expect, it } from "vitest";

import { WechatPayError } from "../../src/shared/errors";
import { decryptReqInfo, encryptReqInfo } from "../../src/v2/refund-crypto";
import { vectors } from "./vectors";

describe("refund req_info (AES-256-ECB, key = md5(API key) lower hex)", () => {
  for (const v of vectors.refundReqInfo) {
    it(`${v.name} decrypts to the official <root> sample exactly`, () => {
      expect(decryptReqInfo(v.reqInfo, v.apiKey)).toBe(v.plainXml);
      expect(encryptReqInfo(v.plainXml, v.apiKey)).toBe(v.reqInfo);
    });
  }

  it("round-trips unicode", () => {
    const xml = "<root><refund_recv_accout><![CDATA[招商银行信用卡0403]]></refund_recv_accout></root>";
    expect(decryptReqInfo(encryptReqInfo(xml, "k".repeat(32)), "k".repeat(32))).toBe(xml);
  });

  it("a wrong key, truncated or non-base64 input is a typed BAD_REQ_INFO", () => {
    const v = vectors.refundReqInfo[0];
    if (!v) throw new Error("no vector");
    for (const [input, key] of [
      [v.reqInfo, "0".repeat(32)],
      [v.reqInfo.slice(0, 40), v.apiKey],
      ["not base64!", v.apiKey],
      ["", v.apiKey],
      ["AAAA", v.apiKey],
    ] as const) {
      let code = "none";
      try {
        decryptReqInfo(input, key);
      } catch (e) {
        code = e instanceof WechatPayError ? e.code : "untyped";
      }
      expect(code).toBe("BAD_REQ_INFO");
    }
  });
});
