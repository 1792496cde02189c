// No money hidden: a payment the order cannot take as its own goes to review whatever the order's state, the
// order's state after a refund is what all its payments say, and every anomaly is on the order's own record.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { requestRefund } from "@wxpay/core";
import { orderEvents, orders, paymentAttempts } from "@wxpay/db";
import { buildPayNotify, replyXml } from "@wxpay/wechatpay";

import type { Harness } from "./harness";
import { deliverPayNotify, eventually, paidNotifyFields, Shopper, startHarness } from "./harness";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ label: "api_review" });
});
afterAll(async () => {
  await h.close();
});

const orderStatus = async (orderId: string) =>
  (await h.deps.db.select().from(orders).where(eq(orders.id, orderId)))[0]?.status;
const events = async (orderId: string) =>
  h.deps.db.select().from(orderEvents).where(eq(orderEvents.orderId, orderId)).orderBy(orderEvents.id);

/** An order with two live attempts (H5, then inside WeChat), the second one paid at WeChat. */
async function orderPaidBySecondAttempt() {
  const shopper = new Shopper(h.url);
  const orderId =
    (await shopper.mutate<{ orderId: string }>("createOrder", { items: [{ sku: "CUP-CELADON", qty: 1 }] }))
      .data?.orderId ?? "";
  await shopper.mutate("prepay", { orderId, channel: "h5" });
  await shopper.oauth(h, "alice");
  await shopper.mutate("prepay", { orderId, channel: "jsapi" });
  const attempts = await h.deps.db.select().from(paymentAttempts).where(eq(paymentAttempts.orderId, orderId));
  const h5 = attempts.find((a) => a.channel === "h5");
  const jsapi = attempts.find((a) => a.channel === "jsapi");
  if (!h5 || !jsapi) throw new Error("expected two attempts");
  await h.control.pay({ outTradeNo: jsapi.outTradeNo, userId: "alice" });
  await eventually(
    () => orderStatus(orderId),
    (s) => s === "PAID",
  );
  return { orderId, h5, jsapi };
}

describe("money that lands where the order cannot take it goes to review", () => {
  it("a payment on an order that is REFUNDING goes to review, and stays there when that refund is closed", async () => {
    const o = await orderPaidBySecondAttempt();
    await h.control.setFault(
      { mchId: h.deps.config.mchId, outTradeNo: o.jsapi.outTradeNo },
      { refundOutcome: "REFUNDCLOSE" },
    );
    const r = await requestRefund(h.deps, { orderId: o.orderId, reason: "顾客取消" });
    expect(r.orderStatus).toBe("REFUNDING");

    await h.control.pay({ outTradeNo: o.h5.outTradeNo, userId: "alice" });
    await eventually(
      () => orderStatus(o.orderId),
      (s) => s === "PAID_NEEDS_REVIEW",
    );

    // The refund of the order's own payment is closed: the other payment is still here, unexplained.
    await h.control.settleRefund({ outRefundNo: r.outRefundNo });
    await eventually(
      async () => (await events(o.orderId)).map((e) => e.type),
      (t) => t.includes("REFUND_REFUNDCLOSE"),
    );
    expect(await orderStatus(o.orderId)).toBe("PAID_NEEDS_REVIEW");
  });

  it("a payment on an order that is already REFUNDED goes to review", async () => {
    const o = await orderPaidBySecondAttempt();
    const r = await requestRefund(h.deps, { orderId: o.orderId });
    await h.control.settleRefund({ outRefundNo: r.outRefundNo });
    await eventually(
      () => orderStatus(o.orderId),
      (s) => s === "REFUNDED",
    );
    await h.control.pay({ outTradeNo: o.h5.outTradeNo, userId: "alice" });
    await eventually(
      () => orderStatus(o.orderId),
      (s) => s === "PAID_NEEDS_REVIEW",
    );
    const last = (await events(o.orderId)).at(-1);
    expect(last).toMatchObject({ type: "PAID_NEEDS_REVIEW", attemptId: o.h5.id });
    expect(last?.data).toMatchObject({ previousStatus: "REFUNDED" });
  });
});

describe("anomalies are on the order's record", () => {
  async function pendingAttempt() {
    const shopper = new Shopper(h.url);
    const orderId =
      (await shopper.mutate<{ orderId: string }>("createOrder", { items: [{ sku: "CUP-CELADON", qty: 1 }] }))
        .data?.orderId ?? "";
    await shopper.mutate("prepay", { orderId, channel: "h5" });
    const [a] = await h.deps.db.select().from(paymentAttempts).where(eq(paymentAttempts.orderId, orderId));
    if (!a) throw new Error("no attempt");
    return a;
  }

  it("an amount mismatch is an order event (once per transaction, however often WeChat retries)", async () => {
    const a = await pendingAttempt();
    const body = buildPayNotify(
      paidNotifyFields(h, a, { total_fee: a.amountFen + 100, cash_fee: a.amountFen + 100 }),
      h.deps.config.key,
      "MD5",
    );
    expect(await deliverPayNotify(h, body)).toBe(replyXml(false, "金额不符"));
    expect(await deliverPayNotify(h, body)).toBe(replyXml(false, "金额不符"));
    const mismatches = (await events(a.orderId)).filter((e) => e.type === "AMOUNT_MISMATCH");
    expect(mismatches).toHaveLength(1);
    expect(mismatches[0]?.data).toMatchObject({ totalFeeFen: a.amountFen + 100, expectedFen: a.amountFen });
    expect(await orderStatus(a.orderId)).toBe("PENDING");
  });

  it("a second transaction_id for one attempt is an order event and puts the order in review", async () => {
    const a = await pendingAttempt();
    const first = paidNotifyFields(h, a);
    expect(await deliverPayNotify(h, buildPayNotify(first, h.deps.config.key, "MD5"))).toBe(replyXml(true));
    const second = paidNotifyFields(h, a);
    expect(await deliverPayNotify(h, buildPayNotify(second, h.deps.config.key, "MD5"))).toBe(replyXml(true));
    const anomaly = (await events(a.orderId)).filter((e) => e.type === "SECOND_TRANSACTION_ID");
    expect(anomaly).toHaveLength(1);
    expect(anomaly[0]?.data).toMatchObject({
      recordedTransactionId: first.transaction_id,
      transactionId: second.transaction_id,
    });
    expect(await orderStatus(a.orderId)).toBe("PAID_NEEDS_REVIEW");
  });
});
