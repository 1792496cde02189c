// Refunds and the daily bill check with the shop on API v3: the same core use cases, through the v3 adapter — the
// refund is sent to /v3/refund/domestic/refunds and settled by the v3 refund notify; the trade bill comes from
// /v3/bill/tradebill with its SHA1 hash checked; and the simulator switching from certificate to public-key signing
// mid-run is followed without a restart.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { reconcileBill, requestRefund, syncPendingRefunds } from "@wxpay/core";
import { orders, paymentAttempts, refunds, wechatPlatformCertificates } from "@wxpay/db";
import { formatBeijingTime } from "@wxpay/wechatpay";

import type { Harness } from "./harness";
import { eventually, Shopper, startHarness } from "./harness";

let h: Harness;
const upstream: string[] = [];
beforeAll(async () => {
  h = await startHarness({
    label: "api_v3_refund_bill",
    config: { apiVersion: "v3" },
    wrapFetch: (inner) => async (input, init) => {
      upstream.push(new URL(String(input instanceof Request ? input.url : input)).pathname);
      return inner(input, init);
    },
  });
});
afterAll(async () => {
  await h.close();
});

async function paidOrder(opts: { dropNotify?: boolean } = {}) {
  const shopper = new Shopper(h.url);
  const orderId =
    (await shopper.mutate<{ orderId: string }>("createOrder", { items: [{ sku: "CUP-CELADON", qty: 2 }] }))
      .data?.orderId ?? "";
  await shopper.mutate("prepay", { orderId, channel: "h5" });
  const [attempt] = await h.deps.db
    .select()
    .from(paymentAttempts)
    .where(eq(paymentAttempts.orderId, orderId));
  const outTradeNo = attempt?.outTradeNo ?? "";
  if (opts.dropNotify) await h.control.setFault({ outTradeNo }, { drop: true });
  await h.control.pay({ outTradeNo, userId: "alice" });
  return { orderId, outTradeNo };
}
const orderStatus = async (orderId: string) =>
  (await h.deps.db.select().from(orders).where(eq(orders.id, orderId)))[0]?.status;

describe("refunds on v3", () => {
  it("a paid order is refunded in full over v3: REFUNDING, then REFUNDED by the v3 refund notify, once", async () => {
    const p = await paidOrder();
    await eventually(
      () => orderStatus(p.orderId),
      (s) => s === "PAID",
    );
    const r = await requestRefund(h.deps, { orderId: p.orderId, reason: "顾客取消" });
    expect(r).toMatchObject({ status: "REQUESTED", refundFeeFen: 11800, orderStatus: "REFUNDING" });
    expect(upstream).toContain("/v3/refund/domestic/refunds");
    const [row] = await h.deps.db.select().from(refunds).where(eq(refunds.outRefundNo, r.outRefundNo));
    expect(row).toMatchObject({ apiVersion: "v3" });
    expect(row?.refundId).toBeTruthy();
    await h.control.settleRefund({ outRefundNo: r.outRefundNo });
    await eventually(
      () => orderStatus(p.orderId),
      (s) => s === "REFUNDED",
    );
    const [done] = await h.deps.db.select().from(refunds).where(eq(refunds.outRefundNo, r.outRefundNo));
    expect(done?.status).toBe("SUCCESS");
  });

  it("a v3 refund whose notify never comes is settled by the v3 refund query", async () => {
    const p = await paidOrder();
    await eventually(
      () => orderStatus(p.orderId),
      (s) => s === "PAID",
    );
    await h.control.setFault({ outTradeNo: p.outTradeNo }, { drop: true });
    const r = await requestRefund(h.deps, { orderId: p.orderId });
    await h.control.settleRefund({ outRefundNo: r.outRefundNo });
    await h.deps.db
      .update(refunds)
      .set({ updatedAt: new Date(Date.now() - 3600_000) })
      .where(eq(refunds.outRefundNo, r.outRefundNo));
    upstream.length = 0;
    await syncPendingRefunds(h.deps);
    expect(upstream).toContain(`/v3/refund/domestic/refunds/${r.outRefundNo}`);
    expect(await orderStatus(p.orderId)).toBe("REFUNDED");
  });
});

describe("bill check on v3", () => {
  it("a trade paid at WeChat that no notify brought in is applied from the v3 trade bill; the next check is clean", async () => {
    const missed = await paidOrder({ dropNotify: true });
    const billDate = formatBeijingTime(h.deps.now()).slice(0, 8);
    await h.advance(36 * 3600_000);
    upstream.length = 0;
    const first = await reconcileBill(h.deps, { billDate });
    expect(upstream).toContain("/v3/bill/tradebill");
    expect(first.differences).toContainEqual({
      kind: "APPLIED_FROM_BILL",
      outTradeNo: missed.outTradeNo,
      transactionId: expect.any(String) as string,
    });
    expect(await orderStatus(missed.orderId)).toBe("PAID");
    const second = await reconcileBill(h.deps, { billDate });
    expect(second.differences.filter((d) => d.kind === "APPLIED_FROM_BILL")).toEqual([]);
  });
});

describe("the simulator switching signing mode mid-run", () => {
  it("answers and notifies signed by the platform certificate, then by the public key, are followed without a restart", async () => {
    // The shop configured for WeChat's switch-over: the public key, and platform certificates fetched when first seen.
    const s = await startHarness({
      label: "api_v3_switching",
      config: { apiVersion: "v3" },
      v3Mode: "switching",
    });
    try {
      const pay = async () => {
        const shopper = new Shopper(s.url);
        const orderId =
          (
            await shopper.mutate<{ orderId: string }>("createOrder", {
              items: [{ sku: "CUP-CELADON", qty: 1 }],
            })
          ).data?.orderId ?? "";
        const prepaid = await shopper.mutate("prepay", { orderId, channel: "h5" });
        expect(prepaid.status).toBe(200);
        const [attempt] = await s.deps.db
          .select()
          .from(paymentAttempts)
          .where(eq(paymentAttempts.orderId, orderId));
        await s.control.pay({ outTradeNo: attempt?.outTradeNo ?? "", userId: "alice" });
        await eventually(
          async () => (await s.deps.db.select().from(orders).where(eq(orders.id, orderId)))[0]?.status,
          (st) => st === "PAID",
        );
        return attempt?.outTradeNo ?? "";
      };
      await s.control.setSigning({ mode: "certificate" });
      const first = await pay();
      // The certificate WeChat signed with was downloaded on the unknown serial and cached for every instance.
      const cached = await s.deps.db.select().from(wechatPlatformCertificates);
      expect(cached.map((c) => c.serialNo)).toEqual(s.deps.v3?.certificates?.serials());
      await s.control.setSigning({ mode: "public-key" });
      const second = await pay();
      const verdicts = s.notifyLog.filter((n) => n.body.length > 0).map((n) => n.verdict);
      expect(verdicts.filter((v) => v === "APPLIED")).toHaveLength(2);
      expect(first).not.toBe(second);
    } finally {
      await s.close();
    }
  });
});
