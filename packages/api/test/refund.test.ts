// Returning money: an operator's refund of a paid order, and of a payment that landed where it could not be
// taken; WeChat's encrypted refund notify settles it, exactly once.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { reconcileBill, reconcilePass, requestRefund } from "@wxpay/core";
import { orderEvents, orders, paymentAttempts, refunds } from "@wxpay/db";
import { buildXml, encryptReqInfo, formatBeijingTime, replyXml } from "@wxpay/wechatpay";

import type { Harness } from "./harness";
import { eventually, Shopper, startHarness } from "./harness";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ label: "api_refund" });
});
afterAll(async () => {
  await h.close();
});

async function paidOrder(shopper = new Shopper(h.url)) {
  const orderId =
    (await shopper.mutate<{ orderId: string }>("createOrder", { items: [{ sku: "CUP-CELADON", qty: 2 }] }))
      .data?.orderId ?? "";
  await shopper.mutate("prepay", { orderId, channel: "h5" });
  const [attempt] = await h.deps.db
    .select()
    .from(paymentAttempts)
    .where(eq(paymentAttempts.orderId, orderId));
  await h.control.pay({ outTradeNo: attempt?.outTradeNo, userId: "alice" });
  await eventually(
    async () =>
      (
        await h.deps.db
          .select()
          .from(paymentAttempts)
          .where(eq(paymentAttempts.id, attempt?.id ?? ""))
      ).at(0)?.status,
    (s) => s === "PAID",
  );
  return { orderId, outTradeNo: attempt?.outTradeNo ?? "", shopper };
}

const orderStatus = async (orderId: string) =>
  (await h.deps.db.select().from(orders).where(eq(orders.id, orderId)))[0]?.status;
const eventTypes = async (orderId: string) =>
  (
    await h.deps.db.select().from(orderEvents).where(eq(orderEvents.orderId, orderId)).orderBy(orderEvents.id)
  ).map((e) => e.type);

describe("refunds", () => {
  it("a paid order is refunded in full: REFUNDING, then REFUNDED when WeChat's refund notify arrives", async () => {
    const p = await paidOrder();
    const r = await requestRefund(h.deps, { orderId: p.orderId, reason: "顾客取消" });
    expect(r).toMatchObject({ status: "REQUESTED", refundFeeFen: 11800, orderStatus: "REFUNDING" });
    // Asked again before WeChat settles it: the same out_refund_no, not a second refund.
    expect((await requestRefund(h.deps, { orderId: p.orderId })).outRefundNo).toBe(r.outRefundNo);
    expect(await h.control.refunds({ outTradeNo: p.outTradeNo })).toHaveLength(1);

    await h.control.settleRefund({ outRefundNo: r.outRefundNo });
    await eventually(
      () => orderStatus(p.orderId),
      (s) => s === "REFUNDED",
    );
    const [row] = await h.deps.db.select().from(refunds).where(eq(refunds.outRefundNo, r.outRefundNo));
    expect(row).toMatchObject({ status: "SUCCESS" });
    expect(row?.refundId).toBeTruthy();
    expect(await eventTypes(p.orderId)).toEqual(["CREATED", "PAID", "REFUND_REQUESTED", "REFUND_SUCCESS"]);
    // The shopper sees it too.
    const view = await p.shopper.query<{ status: string }>("orderStatus", { orderId: p.orderId });
    expect(view.data?.status).toBe("REFUNDED");
  });

  it("money that landed on a second attempt of a paid order is returned, and the order is PAID again", async () => {
    // Both cashiers opened (H5, then inside WeChat), and both paid: WeChat does not allow closing the first
    // within 5 minutes of its creation.
    const shopper = new Shopper(h.url);
    const orderId =
      (await shopper.mutate<{ orderId: string }>("createOrder", { items: [{ sku: "CUP-CELADON", qty: 2 }] }))
        .data?.orderId ?? "";
    await shopper.mutate("prepay", { orderId, channel: "h5" });
    await shopper.oauth(h, "alice");
    await shopper.mutate("prepay", { orderId, channel: "jsapi" });
    const attempts = await h.deps.db
      .select()
      .from(paymentAttempts)
      .where(eq(paymentAttempts.orderId, orderId));
    const h5 = attempts.find((a) => a.channel === "h5");
    const jsapi = attempts.find((a) => a.channel === "jsapi");
    await h.control.pay({ outTradeNo: jsapi?.outTradeNo, userId: "alice" });
    await eventually(
      () => orderStatus(orderId),
      (s) => s === "PAID",
    );
    await h.control.pay({ outTradeNo: h5?.outTradeNo, userId: "alice" });
    await eventually(
      () => orderStatus(orderId),
      (s) => s === "PAID_NEEDS_REVIEW",
    );
    const first = { orderId };
    const second = { outTradeNo: h5?.outTradeNo ?? "" };
    // Without naming a payment, the order's own one would be returned: the operator names the extra one.
    const [order] = await h.deps.db.select().from(orders).where(eq(orders.id, first.orderId));
    expect(order?.paidAttemptId).toBe(jsapi?.id);
    const r = await requestRefund(h.deps, {
      orderId: first.orderId,
      outTradeNo: second.outTradeNo,
      reason: "重复支付",
    });
    expect(r.orderStatus).toBe("PAID_NEEDS_REVIEW");
    await h.control.settleRefund({ outRefundNo: r.outRefundNo });
    await eventually(
      () => orderStatus(first.orderId),
      (s) => s === "PAID",
    );
    expect((await eventTypes(first.orderId)).slice(-2)).toEqual(["REFUND_REQUESTED", "REFUND_SUCCESS"]);
  });

  it("a refund notify that does not decrypt with our key, or names another merchant, is refused and changes nothing", async () => {
    const p = await paidOrder();
    const r = await requestRefund(h.deps, { orderId: p.orderId });
    const [paid] = await h.deps.db
      .select()
      .from(paymentAttempts)
      .where(eq(paymentAttempts.outTradeNo, p.outTradeNo));
    const inner = buildXml({
      transaction_id: paid?.transactionId ?? "",
      out_trade_no: p.outTradeNo,
      refund_id: "50000000000000000000000000000",
      out_refund_no: r.outRefundNo,
      total_fee: 11800,
      refund_fee: 11800,
      refund_status: "SUCCESS",
      success_time: "2026-11-27 12:00:00",
      refund_recv_accout: "支付用户零钱",
      refund_account: "REFUND_SOURCE_RECHARGE_FUNDS",
      refund_request_source: "API",
    })
      .replace(/^<xml>/, "<root>")
      .replace(/<\/xml>$/, "</root>");
    const deliver = async (mchId: string, key: string) => {
      const body = buildXml({
        return_code: "SUCCESS",
        appid: h.deps.config.officialAccount.appId,
        mch_id: mchId,
        nonce_str: "x1",
        req_info: encryptReqInfo(inner, key),
      });
      const res = await fetch(`${h.url}/api/wechat/refund/notify`, { method: "POST", body });
      return res.text();
    };
    expect(await deliver(h.deps.config.mchId, "0123456789abcdef0123456789abcdef")).not.toBe(replyXml(true));
    expect(await deliver("1900000109", h.deps.config.key)).not.toBe(replyXml(true));
    expect(await orderStatus(p.orderId)).toBe("REFUNDING");
    // The genuine one settles it; its duplicate changes nothing more.
    expect(await deliver(h.deps.config.mchId, h.deps.config.key)).toBe(replyXml(true));
    expect(await deliver(h.deps.config.mchId, h.deps.config.key)).toBe(replyXml(true));
    expect(await orderStatus(p.orderId)).toBe("REFUNDED");
    expect((await eventTypes(p.orderId)).filter((t) => t === "REFUND_SUCCESS")).toHaveLength(1);
  });

  it("a refund whose notify never comes is settled by reconciliation's refundquery", async () => {
    const p = await paidOrder();
    await h.control.setFault({ mchId: h.deps.config.mchId, outTradeNo: p.outTradeNo }, { drop: true });
    const r = await requestRefund(h.deps, { orderId: p.orderId });
    await h.control.settleRefund({ outRefundNo: r.outRefundNo });
    await new Promise((res) => setTimeout(res, 300));
    expect(await orderStatus(p.orderId)).toBe("REFUNDING");
    // Not asked before five minutes have passed since the request.
    expect((await reconcilePass(h.deps)).refundsChecked).toBe(0);
    await h.advance(6 * 60_000);
    const stats = await reconcilePass(h.deps);
    expect(stats).toMatchObject({ refundsChecked: 1, refundsSettled: 1 });
    expect(await orderStatus(p.orderId)).toBe("REFUNDED");
    const [event] = (
      await h.deps.db.select().from(orderEvents).where(eq(orderEvents.orderId, p.orderId))
    ).filter((e) => e.type === "REFUND_SUCCESS");
    expect(event?.source).toBe("refundquery");
  });
});

describe("the refund notify is checked against our refund, and refunds started elsewhere are imported", () => {
  const deliverRefundNotify = async (fields: Record<string, string | number>) => {
    const inner = buildXml({
      refund_status: "SUCCESS",
      success_time: "2026-11-27 12:00:00",
      refund_recv_accout: "支付用户零钱",
      refund_account: "REFUND_SOURCE_UNSETTLED_FUNDS",
      refund_request_source: "API",
      ...fields,
    })
      .replace(/^<xml>/, "<root>")
      .replace(/<\/xml>$/, "</root>");
    const body = buildXml({
      return_code: "SUCCESS",
      appid: h.deps.config.officialAccount.appId,
      mch_id: h.deps.config.mchId,
      nonce_str: "x2",
      req_info: encryptReqInfo(inner, h.deps.config.key),
    });
    const res = await fetch(`${h.url}/api/wechat/refund/notify`, { method: "POST", body });
    return res.text();
  };
  const attemptOf = async (outTradeNo: string) =>
    (await h.deps.db.select().from(paymentAttempts).where(eq(paymentAttempts.outTradeNo, outTradeNo)))[0];

  it("a notify whose out_trade_no, transaction_id or amounts differ from our refund row is refused and changes nothing", async () => {
    const p = await paidOrder();
    const r = await requestRefund(h.deps, { orderId: p.orderId });
    const a = await attemptOf(p.outTradeNo);
    const genuine = {
      transaction_id: a?.transactionId ?? "",
      out_trade_no: p.outTradeNo,
      refund_id: "50000000000000000000000000001",
      out_refund_no: r.outRefundNo,
      total_fee: 11800,
      refund_fee: 11800,
      settlement_refund_fee: 11800,
    };
    for (const wrong of [
      { out_trade_no: "20261127SomeoneElsesOrder0000000" },
      { transaction_id: "4200000000000000000000000042" },
      { refund_fee: 100, settlement_refund_fee: 100 },
      { total_fee: 99999 },
    ]) {
      expect(await deliverRefundNotify({ ...genuine, ...wrong })).not.toBe(replyXml(true));
      expect(await orderStatus(p.orderId)).toBe("REFUNDING");
    }
    expect(await deliverRefundNotify(genuine)).toBe(replyXml(true));
    expect(await orderStatus(p.orderId)).toBe("REFUNDED");
  });

  it("refunds started on the merchant platform are imported from their notifies: partial, then the rest", async () => {
    const p = await paidOrder();
    const a = await attemptOf(p.outTradeNo);
    const platform = {
      transaction_id: a?.transactionId ?? "",
      out_trade_no: p.outTradeNo,
      total_fee: 11800,
      refund_request_source: "VENDOR_PLATFORM",
    };
    expect(
      await deliverRefundNotify({
        ...platform,
        refund_id: "50000000000000000000000000011",
        out_refund_no: "MP2026112700001",
        refund_fee: 1000,
      }),
    ).toBe(replyXml(true));
    // A part returned: the order still holds the rest, and says a part went back.
    expect(await orderStatus(p.orderId)).toBe("PARTLY_REFUNDED");
    expect(
      await deliverRefundNotify({
        ...platform,
        refund_id: "50000000000000000000000000012",
        out_refund_no: "MP2026112700002",
        refund_fee: 10800,
      }),
    ).toBe(replyXml(true));
    expect(await orderStatus(p.orderId)).toBe("REFUNDED");
    const rows = await h.deps.db.select().from(refunds).where(eq(refunds.orderId, p.orderId));
    expect(rows.map((x) => [x.outRefundNo, x.origin, x.status, x.refundFeeFen]).sort()).toEqual([
      ["MP2026112700001", "WECHAT", "SUCCESS", 1000],
      ["MP2026112700002", "WECHAT", "SUCCESS", 10800],
    ]);
    expect((await eventTypes(p.orderId)).filter((t) => t === "REFUND_IMPORTED")).toHaveLength(2);
    // A repeat of the same notify changes nothing more.
    expect(
      await deliverRefundNotify({
        ...platform,
        refund_id: "50000000000000000000000000012",
        out_refund_no: "MP2026112700002",
        refund_fee: 10800,
      }),
    ).toBe(replyXml(true));
    expect(await h.deps.db.select().from(refunds).where(eq(refunds.orderId, p.orderId))).toHaveLength(2);
  });

  it("a refund notify for a payment this shop does not know is still refused", async () => {
    expect(
      await deliverRefundNotify({
        transaction_id: "4200000000000000000000000077",
        out_trade_no: "20261127NobodyKnowsThisOrder0000",
        refund_id: "50000000000000000000000000021",
        out_refund_no: "MP2026112700009",
        total_fee: 500,
        refund_fee: 500,
      }),
    ).not.toBe(replyXml(true));
  });
});

describe("a refund started on the merchant platform whose notify never came", () => {
  it("is imported by the daily bill check, from a signed refundquery", async () => {
    const p = await paidOrder();
    const [a] = await h.deps.db
      .select()
      .from(paymentAttempts)
      .where(eq(paymentAttempts.outTradeNo, p.outTradeNo));
    // The merchant platform plays its part: a refund this shop never asked for, with no notify_url.
    await h.deps.pay.refund({
      outTradeNo: p.outTradeNo,
      appId: a?.appid ?? "",
      outRefundNo: "MPBILL2026112701",
      totalFeeFen: 11800,
      refundFeeFen: 11800,
    });
    await h.control.settleRefund({ outRefundNo: "MPBILL2026112701" });
    expect(await orderStatus(p.orderId)).toBe("PAID");

    const billDate = formatBeijingTime(h.deps.now()).slice(0, 8);
    await h.advance(36 * 3600_000);
    const check = await reconcileBill(h.deps, { billDate });
    expect(check.differences).toContainEqual({
      kind: "REFUND_IMPORTED",
      outTradeNo: p.outTradeNo,
      outRefundNo: "MPBILL2026112701",
    });
    expect(await orderStatus(p.orderId)).toBe("REFUNDED");
    const again = await reconcileBill(h.deps, { billDate });
    expect(again.differences.filter((d) => d.kind === "REFUND_IMPORTED")).toEqual([]);
  });
});
