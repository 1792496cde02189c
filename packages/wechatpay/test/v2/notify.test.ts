import fc from "fast-check";
import { describe, expect, it } from "vitest";

import {
  buildPayNotify,
  parsePayNotify,
  parseRefundNotify,
  replyXml,
  SUCCESS_REPLY,
} from "../../src/v2/notify";
import type { PayNotifyConfig } from "../../src/v2/notify";
import { encryptReqInfo } from "../../src/v2/refund-crypto";
import { sign } from "../../src/v2/sign";
import { buildXml } from "../../src/v2/xml";
import { vectors } from "./vectors";

const KEY = "192006250b4c09247ec02edce69f6a2d";
const PREVIOUS = "fedcba9876543210fedcba9876543210";
const config: PayNotifyConfig = {
  mchId: "1230000109",
  appIds: ["wxd930ea5d5a258f4f", "wx2421b1c4370ec43b"],
  keys: [KEY, PREVIOUS],
  signType: "MD5",
};

function paidFields(over: Record<string, string | number> = {}): Record<string, string | number> {
  return {
    appid: "wx2421b1c4370ec43b",
    attach: "支付测试",
    bank_type: "CFT",
    cash_fee: 1990,
    fee_type: "CNY",
    is_subscribe: "Y",
    mch_id: "1230000109",
    nonce_str: "5d2b6c2a8db53831f7eda20af46e531c",
    openid: "oUpF8uMEb4qRXf22hE3X68TekukE",
    out_trade_no: "0000202501011234",
    result_code: "SUCCESS",
    return_code: "SUCCESS",
    time_end: "20250101120000",
    total_fee: 1990,
    trade_type: "JSAPI",
    transaction_id: "4200000215201811190261405420",
    ...over,
  };
}

function rejectionCode(raw: string | Uint8Array, cfg: PayNotifyConfig = config): string {
  const r = parsePayNotify(raw, cfg);
  return r.ok ? "ok" : r.rejection.code;
}

describe("replyXml", () => {
  it("produces WeChat's exact reply bytes", () => {
    expect(replyXml(true)).toBe(
      "<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg></xml>",
    );
    expect(SUCCESS_REPLY).toBe(replyXml(true));
    expect(replyXml(false, "sign mismatched")).toBe(
      "<xml><return_code><![CDATA[FAIL]]></return_code><return_msg><![CDATA[sign mismatched]]></return_msg></xml>",
    );
  });

  it("cannot be broken by the message", () => {
    expect(replyXml(false, "a]]>b\u0000")).toBe(
      "<xml><return_code><![CDATA[FAIL]]></return_code><return_msg><![CDATA[a]]]]><![CDATA[>b]]></return_msg></xml>",
    );
  });
});

describe("parsePayNotify", () => {
  it("accepts a signed notify and keeps ids exact", () => {
    const r = parsePayNotify(buildPayNotify(paidFields(), KEY, "MD5"), config);
    if (!r.ok) throw new Error(r.rejection.message);
    const n = r.notification;
    expect(n.transactionId).toBe("4200000215201811190261405420");
    expect(n.outTradeNo).toBe("0000202501011234");
    expect(n.totalFeeFen).toBe(1990);
    expect(n.cashFeeFen).toBe(1990);
    expect(n.resultCode).toBe("SUCCESS");
    expect(n.feeType).toBe("CNY");
    expect(n.attach).toBe("支付测试");
    expect(n.paidAt.toISOString()).toBe("2025-01-01T04:00:00.000Z");
    expect(n.timeEnd).toBe("20250101120000");
    expect(n.fields.is_subscribe).toBe("Y");
  });

  it("accepts the official sample's mixed CDATA/bare layout once signed with our key", () => {
    const official = vectors.notifySample.xml;
    // Re-sign the official sample (its own sign is from an unknown key) and keep its formatting.
    const fieldsOnly = official.replace(/<sign>.*<\/sign>\n\s*/, "");
    const withMch = fieldsOnly.replace("<![CDATA[10000100]]>", "<![CDATA[1230000109]]>");
    const parsed = parsePayNotify(withMch, { ...config, keys: [] });
    expect(parsed.ok).toBe(false); // no sign → never accepted
    const r0 = parsePayNotify(withMch, config);
    expect(r0.ok ? "ok" : r0.rejection.code).toBe("BAD_SIGN");
    const fields = r0.ok ? {} : (r0.rejection.fields ?? {});
    const s = sign(fields, KEY, "MD5");
    const signedXml = withMch.replace("</xml>", `  <sign><![CDATA[${s}]]></sign>\n</xml>`);
    const r = parsePayNotify(signedXml, config);
    if (!r.ok) throw new Error(r.rejection.message);
    expect(r.notification.totalFeeFen).toBe(1);
    expect(r.notification.transactionId).toBe("1004400740201409030005092168");
    expect(r.notification.fields.coupon_id).toBe("10000");
  });

  it("accepts the previous key during rotation and rejects an unknown key", () => {
    expect(rejectionCode(buildPayNotify(paidFields(), PREVIOUS, "MD5"))).toBe("ok");
    expect(rejectionCode(buildPayNotify(paidFields(), "0".repeat(32), "MD5"))).toBe("BAD_SIGN");
  });

  it("pins the sign type: a declared sign_type other than the configured one is WRONG_SIGN_TYPE; an absent one is verified with the configured type", () => {
    const hmac = buildPayNotify(paidFields(), KEY, "HMAC-SHA256");
    expect(hmac).toContain("<sign_type><![CDATA[HMAC-SHA256]]></sign_type>");
    expect(rejectionCode(hmac)).toBe("WRONG_SIGN_TYPE");
    const hmacConfig = { ...config, signType: "HMAC-SHA256" as const };
    expect(rejectionCode(hmac, hmacConfig)).toBe("ok");
    // No sign_type: verified with the configured HMAC, which an MD5 signature cannot pass.
    expect(rejectionCode(buildPayNotify(paidFields(), KEY, "MD5"), hmacConfig)).toBe("BAD_SIGN");
    expect(rejectionCode(buildPayNotify(paidFields({ sign_type: "MD5" }), KEY, "MD5"), hmacConfig)).toBe(
      "WRONG_SIGN_TYPE",
    );
    // An HMAC sign with the sign_type stripped cannot verify as MD5 under the MD5 configuration.
    const stripped = buildXml({
      ...paidFields(),
      sign: sign({ ...paidFields(), sign_type: "HMAC-SHA256" }, KEY, "HMAC-SHA256"),
    });
    expect(rejectionCode(stripped)).toBe("BAD_SIGN");
    // WeChat's HMAC-SHA256 notifies often omit sign_type: signed over the fields as sent, they verify with the pinned HMAC.
    const hmacWithoutType = buildXml({ ...paidFields(), sign: sign(paidFields(), KEY, "HMAC-SHA256") });
    expect(rejectionCode(hmacWithoutType, hmacConfig)).toBe("ok");
  });

  it("rejects a missing sign and a forged one", () => {
    expect(rejectionCode(buildXml(paidFields()))).toBe("BAD_SIGN");
    expect(rejectionCode(buildXml({ ...paidFields(), sign: "0".repeat(32) }))).toBe("BAD_SIGN");
  });

  it("checks mch_id and appid membership", () => {
    expect(rejectionCode(buildPayNotify(paidFields({ mch_id: "10000100" }), KEY, "MD5"))).toBe(
      "WRONG_MCH_ID",
    );
    expect(rejectionCode(buildPayNotify(paidFields({ appid: "wx0000000000000000" }), KEY, "MD5"))).toBe(
      "WRONG_APPID",
    );
    const noAppid = paidFields();
    delete noAppid.appid;
    expect(rejectionCode(buildPayNotify(noAppid, KEY, "MD5"))).toBe("WRONG_APPID");
  });

  it("return_code=FAIL is RETURN_FAIL; bad XML is BAD_XML", () => {
    expect(rejectionCode(buildXml({ return_code: "FAIL", return_msg: "签名失败" }))).toBe("RETURN_FAIL");
    expect(rejectionCode('<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml><a>&e;</a></xml>')).toBe(
      "BAD_XML",
    );
    expect(rejectionCode("")).toBe("BAD_XML");
    expect(rejectionCode(new Uint8Array([0xff, 0xfe, 0x3c]))).toBe("BAD_XML");
  });

  it("a signed notify with a malformed total_fee or missing field is MISSING_FIELD, never a coerced number", () => {
    for (const fee of ["0", "01990", "19.90", "1e3", "-1", " 1990"]) {
      expect(rejectionCode(buildPayNotify(paidFields({ total_fee: fee }), KEY, "MD5"))).toBe("MISSING_FIELD");
    }
    const noTx = paidFields();
    delete noTx.transaction_id;
    expect(rejectionCode(buildPayNotify(noTx, KEY, "MD5"))).toBe("MISSING_FIELD");
    expect(rejectionCode(buildPayNotify(paidFields({ time_end: "20250230120000" }), KEY, "MD5"))).toBe(
      "MISSING_FIELD",
    );
  });

  it("a signed result_code=FAIL notify is returned (to be recorded and acknowledged)", () => {
    const r = parsePayNotify(
      buildPayNotify(
        paidFields({ result_code: "FAIL", err_code: "SYSTEMERROR", err_code_des: "系统错误" }),
        KEY,
        "MD5",
      ),
      config,
    );
    if (!r.ok) throw new Error(r.rejection.message);
    expect(r.notification.resultCode).toBe("FAIL");
    expect(r.notification.errCode).toBe("SYSTEMERROR");
  });

  it("unknown extension fields take part in the signature", () => {
    const xml = buildPayNotify(paidFields({ coupon_id_0: "10000", promotion_detail: "" }), KEY, "MD5");
    expect(rejectionCode(xml)).toBe("ok");
    expect(rejectionCode(xml.replace("<coupon_id_0><![CDATA[10000]]></coupon_id_0>", ""))).toBe("BAD_SIGN");
  });

  it("property: editing any one signed field's value breaks the notify", () => {
    const xmlFields = paidFields();
    const names = Object.keys(xmlFields).filter((n) => !["mch_id", "appid"].includes(n));
    fc.assert(
      fc.property(fc.constantFrom(...names), fc.string({ minLength: 1, maxLength: 3 }), (name, suffix) => {
        const tampered = buildXml({
          ...xmlFields,
          sign: sign(xmlFields, KEY, "MD5"),
          [name]: String(xmlFields[name]) + suffix,
        });
        expect(rejectionCode(tampered)).not.toBe("ok");
      }),
      { numRuns: 200 },
    );
  });

  it("property: random notifies round-trip with exact strings", () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[0-9]{28}$/),
        fc.stringMatching(/^[0-9A-Za-z_\-|*]{6,32}$/),
        fc.integer({ min: 1, max: 2_147_483_647 }),
        fc.string({ unit: "grapheme", maxLength: 60 }),
        (tx, outTradeNo, fee, attach) => {
          const r = parsePayNotify(
            buildPayNotify(
              paidFields({ transaction_id: tx, out_trade_no: outTradeNo, total_fee: fee, attach }),
              KEY,
              "MD5",
            ),
            config,
          );
          if (!r.ok) throw new Error(r.rejection.message);
          expect(r.notification.transactionId).toBe(tx);
          expect(r.notification.outTradeNo).toBe(outTradeNo);
          expect(r.notification.totalFeeFen).toBe(fee);
          expect(r.notification.fields.attach).toBe(attach);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("parseRefundNotify", () => {
  const v = vectors.refundReqInfo[0];
  if (!v) throw new Error("no vector");
  const rcfg = { mchId: "10000100", appIds: ["wx2421b1c4370ec43b"], keys: [v.apiKey] };
  const outer = (over: Record<string, string> = {}) =>
    buildXml({
      return_code: "SUCCESS",
      appid: "wx2421b1c4370ec43b",
      mch_id: "10000100",
      nonce_str: "TeqClE3i0mvn3DrK",
      req_info: v.reqInfo,
      ...over,
    });

  it("decrypts the vector and maps the official sample", () => {
    const r = parseRefundNotify(outer(), rcfg);
    if (!r.ok) throw new Error(r.rejection.message);
    const n = r.notification;
    expect(n.outRefundNo).toBe("131811191610442717309");
    expect(n.outTradeNo).toBe("71106718111915575302817");
    expect(n.refundId).toBe("50000408942018111907145868882");
    expect(n.transactionId).toBe("4200000215201811190261405420");
    expect(n.refundFeeFen).toBe(3960);
    expect(n.totalFeeFen).toBe(3960);
    expect(n.settlementRefundFeeFen).toBe(3960);
    expect(n.refundStatus).toBe("SUCCESS");
    expect(n.successTime).toBe("2018-11-19 16:24:13");
    expect(n.succeededAt?.toISOString()).toBe("2018-11-19T08:24:13.000Z");
    expect(n.refundRecvAccout).toBe("支付用户零钱");
  });

  it("tries the previous key too", () => {
    expect(parseRefundNotify(outer(), { ...rcfg, keys: ["0".repeat(32), v.apiKey] }).ok).toBe(true);
  });

  it("rejects a req_info that does not decrypt, a FAIL notify, and foreign ids", () => {
    const code = (raw: string, cfg = rcfg) => {
      const r = parseRefundNotify(raw, cfg);
      return r.ok ? "ok" : r.rejection.code;
    };
    expect(code(outer(), { ...rcfg, keys: ["0".repeat(32)] })).toBe("BAD_REQ_INFO");
    expect(code(outer({ req_info: encryptReqInfo("<xml><a>1</a></xml>", v.apiKey) }))).toBe("BAD_REQ_INFO");
    expect(code(outer({ req_info: "garbage" }))).toBe("BAD_REQ_INFO");
    expect(code(buildXml({ return_code: "FAIL", return_msg: "x" }))).toBe("RETURN_FAIL");
    expect(code(outer({ mch_id: "1" }))).toBe("WRONG_MCH_ID");
    expect(code(outer({ appid: "wx1" }))).toBe("WRONG_APPID");
    expect(code(outer({ req_info: "" }))).toBe("MISSING_FIELD");
    expect(
      code(
        outer({ req_info: encryptReqInfo("<root><refund_status>SUCCESS</refund_status></root>", v.apiKey) }),
      ),
    ).toBe("MISSING_FIELD");
    expect(code("<xml><!ENTITY x 'y'></xml>")).toBe("BAD_XML");
  });
});
