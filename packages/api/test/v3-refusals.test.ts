// WeChat v3 saying no at send time, through the real HTTP stack (tRPC → core → the simulator over HTTP). A permanent
// refusal — HTTP 4xx PARAM_ERROR, INVALID_REQUEST, SIGN_ERROR (our own signature), NO_AUTH — gives the shopper or the
// operator a typed error at once and is never sent again by reconciliation; a 5xx SYSTEM_ERROR leaves the same request
// to be re-sent byte for byte (WeChat: "使用原请求参数重试").
import { eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

import { CoreError, reconcilePass, requestRefund, syncPendingRefunds } from "@wxpay/core";
import { orders, paymentAttempts, refunds } from "@wxpay/db";

import type { Harness } from "./harness";
import { eventually, Shopper, startHarness } from "./harness";

let h: Harness;
/** Every v3 request the shop sent to WeChat: "METHOD /path". */
const upstream: string[] = [];
beforeAll(async () => {
  h = await startHarness({
    label: "api_v3_refusals",
    config: { apiVersion: "v3" },
    wrapFetch: (inner) => async (input, init) => {
      const url = new URL(String(input instanceof Request ? input.url : input));
      if (url.pathname.startsWith("/v3/")) upstream.push(`${init?.method ?? "GET"} ${url.pathname}`);
      return inner(input, init);
    },
  });
});
afterAll(async () => {
  await h.close();
});
afterEach(async () => {
  await h.control.clearFaults();
});

async function newOrder(shopper = new Shopper(h.url)) {
  const r = await shopper.mutate<{ orderId: string }>("createOrder", {
    items: [{ sku: "CUP-CELADON", qty: 1 }],
  });
  return { orderId: r.data?.orderId ?? "", shopper };
}
const attemptsOf = (orderId: string) =>
  h.deps.db.select().from(paymentAttempts).where(eq(paymentAttempts.orderId, orderId));
const orderStatus = async (orderId: string) =>
  (await h.deps.db.select().from(orders).where(eq(orders.id, orderId)))[0]?.status;

/** Makes every attempt and refund due for reconciliation now, and runs one pass. */
async function reconcileNow() {
  const past = new Date(Date.now() - 1000);
  await h.deps.db.update(paymentAttempts).set({ nextCheckAt: past });
  await reconcilePass(h.deps);
  await syncPendingRefunds(h.deps).catch(() => undefined);
}

describe("prepay refused by WeChat v3", () => {
  const permanent = [
    { status: 400, code: "PARAM_ERROR" },
    { status: 400, code: "INVALID_REQUEST" },
    { status: 401, code: "SIGN_ERROR" },
    { status: 403, code: "NO_AUTH" },
  ];
  for (const refusal of permanent) {
    it(`HTTP ${refusal.status} ${refusal.code}: a typed error for the shopper, the attempt FAILED, never re-sent`, async () => {
      const { orderId, shopper } = await newOrder();
      await h.control.setFault({}, { v3Error: { endpoints: ["v3/h5"], times: 1, ...refusal } });
      const r = await shopper.mutate("prepay", { orderId, channel: "h5" });
      expect(r.status).toBe(502);
      expect(r.error?.data.appCode).toBe("WECHAT_REJECTED");
      const [a] = await attemptsOf(orderId);
      expect(a?.status).toBe("FAILED");
      expect(a?.lastError).toContain(refusal.code);
      expect(a?.nextCheckAt).toBeNull();

      // Reconciliation leaves it alone: nothing about this out_trade_no goes to WeChat again.
      const before = upstream.length;
      await reconcileNow();
      expect(upstream.slice(before).filter((u) => u.includes(a?.outTradeNo ?? "-"))).toEqual([]);
      expect(await orderStatus(orderId)).toBe("PENDING");

      // The shopper may try again: a new attempt, paid as usual.
      const again = await shopper.mutate<{ mwebUrl: string }>("prepay", { orderId, channel: "h5" });
      expect(again.status).toBe(200);
      const live = (await attemptsOf(orderId)).find((x) => x.status === "PREPAID");
      expect(live?.outTradeNo).not.toBe(a?.outTradeNo);
    });
  }

  it("HTTP 400 without WeChat's JSON body (a gateway in front): refused for good as well, never re-sent", async () => {
    const { orderId, shopper } = await newOrder();
    await h.control.setFault(
      {},
      { v3Error: { endpoints: ["v3/h5"], times: 1, status: 400, code: "BAD_REQUEST", bare: true } },
    );
    const r = await shopper.mutate("prepay", { orderId, channel: "h5" });
    expect(r.error?.data.appCode).toBe("WECHAT_REJECTED");
    const [a] = await attemptsOf(orderId);
    expect(a?.status).toBe("FAILED");
    expect(a?.lastError).toContain("HTTP 400");
    const before = upstream.length;
    await reconcileNow();
    expect(upstream.slice(before).filter((u) => u.includes(a?.outTradeNo ?? "-"))).toEqual([]);
  });

  it("HTTP 500 SYSTEM_ERROR: busy for the shopper, the same request is kept and re-sent unchanged", async () => {
    const { orderId, shopper } = await newOrder();
    await h.control.setFault(
      {},
      { v3Error: { endpoints: ["v3/h5"], times: 1, status: 500, code: "SYSTEM_ERROR" } },
    );
    const r = await shopper.mutate("prepay", { orderId, channel: "h5" });
    expect(r.status).toBe(503);
    expect(r.error?.data.appCode).toBe("WECHAT_BUSY");
    const [a] = await attemptsOf(orderId);
    expect(a?.status).toBe("CREATED");
    expect(a?.lastError).toContain("SYSTEM_ERROR");
    const again = await shopper.mutate("prepay", { orderId, channel: "h5" });
    expect(again.status).toBe(200);
    const rows = await attemptsOf(orderId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      outTradeNo: a?.outTradeNo,
      status: "PREPAID",
      requestXml: a?.requestXml,
    });
  });
});

describe("refund refused by WeChat v3", () => {
  async function paidOrder() {
    const { orderId, shopper } = await newOrder();
    await shopper.mutate("prepay", { orderId, channel: "h5" });
    const [a] = await attemptsOf(orderId);
    await h.control.pay({ outTradeNo: a?.outTradeNo ?? "" });
    await eventually(
      () => orderStatus(orderId),
      (s) => s === "PAID",
    );
    return orderId;
  }

  it("HTTP 400 INVALID_REQUEST: a typed error for the operator, the refund FAILED, the order PAID again, never re-sent", async () => {
    const orderId = await paidOrder();
    await h.control.setFault(
      {},
      { v3Error: { endpoints: ["v3/refund"], times: 1, status: 400, code: "INVALID_REQUEST" } },
    );
    const err = await requestRefund(h.deps, { orderId, reason: "顾客取消" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CoreError);
    expect((err as CoreError).code).toBe("WECHAT_REJECTED");
    const [row] = await h.deps.db.select().from(refunds).where(eq(refunds.orderId, orderId));
    expect(row?.status).toBe("FAILED");
    expect(row?.lastError).toMatch(/^final: INVALID_REQUEST/);
    expect(await orderStatus(orderId)).toBe("PAID");
    const before = upstream.length;
    await h.deps.db
      .update(refunds)
      .set({ updatedAt: new Date(Date.now() - 3600_000) })
      .where(eq(refunds.orderId, orderId));
    await reconcileNow();
    expect(upstream.slice(before).filter((u) => u.startsWith("POST /v3/refund"))).toEqual([]);
  });

  it("HTTP 500 SYSTEM_ERROR: busy, the refund stays REQUESTED under the same out_refund_no", async () => {
    const orderId = await paidOrder();
    await h.control.setFault(
      {},
      { v3Error: { endpoints: ["v3/refund"], times: 1, status: 500, code: "SYSTEM_ERROR" } },
    );
    const err = await requestRefund(h.deps, { orderId }).catch((e: unknown) => e);
    expect((err as CoreError).code).toBe("WECHAT_BUSY");
    const [row] = await h.deps.db.select().from(refunds).where(eq(refunds.orderId, orderId));
    expect(row?.status).toBe("REQUESTED");
    expect(await orderStatus(orderId)).toBe("REFUNDING");
    // Asked again: the same out_refund_no goes out, and WeChat takes it.
    const r = await requestRefund(h.deps, { orderId });
    expect(r.outRefundNo).toBe(row?.outRefundNo);
  });
});
