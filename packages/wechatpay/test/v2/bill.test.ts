import fc from "fast-check";
import { describe, expect, it } from "vitest";

import { WechatPayError, fenToYuanString, parseBill } from "../../src/index";

// The shape of a real ALL bill (header row, backtick rows ending in ",`", summary header and row).
const ALL_BILL = [
  "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注",
  "`2021-01-28 15:35:18,`wx81be3101902f7cb2,`1601959334,`0,`,`4200000910202101282955148400,`S20210128153505214586,`ofyak5qR_1wYsC99CsWA6R9MJazA,`NATIVE,`SUCCESS,`OTHERS,`CNY,`0.01,`0.00,`0,`0,`0.00,`0.00,`,`,`for testing,`cipher code,`0.00000,`1.00%,`0.01,`0.00,`",
  "`2021-01-28 16:59:46,`wx81be3101902f7cb2,`1601959334,`0,`,`4200000926202101281412639609,`S20210128165824499930,`ofyak5qR_1wYsC99CsWA6R9MJazA,`JSAPI,`REFUND,`CMB_CREDIT,`CNY,`0.00,`0.00,`50300407192021012805854361234,`RF20210128001,`19.99,`0.00,`ORIGINAL,`SUCCESS,`商品A, 大号,`,`0.00006,`0.60%,`19.99,`19.99,`",
  "`2021-01-28 17:00:01,`wx81be3101902f7cb2,`1601959334,`0,`WEB,`4200000926202101281412639610,`S20210128170000000001,`ofyak5qR_1wYsC99CsWA6R9MJazA,`MWEB,`SUCCESS,`OTHERS,`CNY,`1000000.07,`0.00,`0,`0,`0.00,`0.00,`,`,`大额,`a=1&b=2,`6000.00042,`0.60%,`1000000.07,`0.00,`",
  "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额",
  "`3,`1000000.08,`19.99,`0.00,`6000.00048,`1000020.07,`19.99",
].join("\r\n");

function badBill(text: string): WechatPayError {
  try {
    parseBill(text);
  } catch (err) {
    if (err instanceof WechatPayError) return err;
    throw err;
  }
  throw new Error("expected BAD_BILL");
}

describe("parseBill", () => {
  it("parses an ALL bill into typed rows with exact strings and integer fen", () => {
    const bill = parseBill(ALL_BILL);
    expect(bill.rows).toHaveLength(3);
    const [paid, refund, large] = bill.rows;
    expect(paid).toMatchObject({
      tradeTime: "2021-01-28 15:35:18",
      appId: "wx81be3101902f7cb2",
      mchId: "1601959334",
      transactionId: "4200000910202101282955148400",
      outTradeNo: "S20210128153505214586",
      tradeType: "NATIVE",
      tradeState: "SUCCESS",
      settlementTotalFeeFen: 1,
      couponFeeFen: 0,
      totalFeeFen: 1,
      refundFeeFen: 0,
      serviceCharge: "0.00000",
      serviceChargeMilliFen: 0,
      rate: "1.00%",
      body: "for testing",
      attach: "cipher code",
    });
    expect(paid?.tradeAt.toISOString()).toBe("2021-01-28T07:35:18.000Z");
    // "0" placeholders are not refund numbers or sub-merchants
    expect(paid?.refundId).toBeUndefined();
    expect(paid?.outRefundNo).toBeUndefined();
    expect(paid?.subMchId).toBeUndefined();
    expect(paid?.deviceInfo).toBeUndefined();

    expect(refund).toMatchObject({
      tradeState: "REFUND",
      refundId: "50300407192021012805854361234",
      outRefundNo: "RF20210128001",
      refundFeeFen: 1999,
      applyRefundFeeFen: 1999,
      refundType: "ORIGINAL",
      refundStatus: "SUCCESS",
      // a comma inside a field survives: fields are split on ",`"
      body: "商品A, 大号",
      serviceChargeMilliFen: 6,
    });
    expect(refund?.attach).toBeUndefined();
    expect(large).toMatchObject({
      settlementTotalFeeFen: 100000007,
      serviceChargeMilliFen: 600000042,
      deviceInfo: "WEB",
      attach: "a=1&b=2",
    });
    expect(large?.raw["商户数据包"]).toBe("a=1&b=2");

    expect(bill.summary).toMatchObject({
      tradeCount: 3,
      settlementTotalFeeFen: 100000008,
      refundFeeFen: 1999,
      couponRefundFeeFen: 0,
      serviceCharge: "6000.00048",
      serviceChargeMilliFen: 600000048,
      totalFeeFen: 100002007,
      applyRefundFeeFen: 1999,
    });
  });

  it("reads the older SUCCESS layout (总金额, 代金券或立减优惠金额, no trailing field) and LF line ends", () => {
    const text = [
      "交易时间,公众账号ID,商户号,子商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,总金额,代金券或立减优惠金额,商品名称,商户数据包,手续费,费率",
      "`2014-11-10 16:33:45,`wx2421b1c4370ec43b,`10000100,`0,`1000,`1001690740201411100005734289,`1415640626,`085e9858e3ba5186aafcbaed1,`MICROPAY,`SUCCESS,`CFT,`CNY,`0.01,`0.0,`被扫支付测试,`订单额外描述,`0,`0.60%",
      "总交易单数,总交易额,总退款金额,总代金券或立减优惠退款金额,手续费总金额",
      "`1,`0.01,`0.0,`0.0,`0",
      "",
    ].join("\n");
    const bill = parseBill("\uFEFF" + text);
    expect(bill.rows[0]).toMatchObject({
      settlementTotalFeeFen: 1,
      couponFeeFen: 0,
      deviceInfo: "1000",
      serviceChargeMilliFen: 0,
    });
    expect(bill.summary).toMatchObject({ tradeCount: 1, settlementTotalFeeFen: 1, refundFeeFen: 0 });
  });

  it("a summary count that disagrees with the rows (a truncated download) is refused", () => {
    const lines = ALL_BILL.split("\r\n");
    const withoutARow = [lines[0], lines[1], lines[2], lines[4], lines[5]].join("\r\n");
    expect(badBill(withoutARow).code).toBe("BAD_BILL");
  });

  it.each([
    ["no summary", ALL_BILL.split("\r\n").slice(0, 4).join("\n")],
    ["a row with a missing field", ALL_BILL.replace("`NATIVE,`SUCCESS,", "`NATIVE,")],
    ["a float-looking amount", ALL_BILL.replace("`0.01,`0.00,`0,`0,", "`1e2,`0.00,`0,`0,")],
    ["three decimals of yuan", ALL_BILL.replace("`0.01,`0.00,`0,`0,", "`0.011,`0.00,`0,`0,")],
    ["an unreadable trade time", ALL_BILL.replace("`2021-01-28 15:35:18", "`2021-02-30 15:35:18")],
    [
      "a row that is not backtick-prefixed",
      ALL_BILL.replace("`2021-01-28 15:35:18,", "2021-01-28 15:35:18,"),
    ],
    ["lines after the summary", ALL_BILL + "\r\n`junk"],
    ["not a bill at all", "<html>oops</html>"],
    ["empty", ""],
  ])("%s is a BAD_BILL", (_label, text) => {
    expect(badBill(text).code).toBe("BAD_BILL");
  });

  it("every fen amount survives the bill's yuan text exactly (no float rounding)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 1_000_000_000_00 }), { minLength: 1, maxLength: 20 }),
        (amounts) => {
          const header =
            "交易时间,公众账号ID,商户号,微信订单号,商户订单号,交易类型,交易状态,应结订单金额,订单金额";
          const rows = amounts.map(
            (fen, i) =>
              `\`2026-02-28 10:00:00,\`wx1,\`1230000109,\`42000${i},\`OTN${i},\`JSAPI,\`SUCCESS,\`${fenToYuanString(fen)},\`${fenToYuanString(fen)}`,
          );
          const total = amounts.reduce((a, b) => a + b, 0);
          const text = [
            header,
            ...rows,
            "总交易单数,应结订单总金额",
            `\`${amounts.length},\`${fenToYuanString(total)}`,
          ].join("\r\n");
          const bill = parseBill(text);
          expect(bill.rows.map((r) => r.settlementTotalFeeFen)).toEqual(amounts);
          expect(bill.summary.settlementTotalFeeFen).toBe(total);
        },
      ),
      { numRuns: 200 },
    );
  });
});
