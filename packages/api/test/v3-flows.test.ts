// The shop switched to API v3 (WECHATPAY_API_VERSION=v3) against the simulator speaking v3 for real: every channel
// prepays over v3, WeChat's v3 notify settles the order once, orderStatus asks v3, and pay parameters are RSA-signed.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { orders, paymentAttempts, paymentNotifications } from "@wxpay/db";

import type { Harness } from "./harness";
import { eventually, Shopper, startHarness } from "./harness";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ label: "api_v3_flows", config: { apiVersion: "v3" } });
});
afterAll(async () => {
  await h.close();
});

async function newOrder(shopper = new Shopper(h.url)) {
  const r = await shopper.mutate<{ orderId: string }>("createOrder", {
    items: [{ sku: "CUP-CELADON", qty: 1 }],
  });
  return { orderId: r.data?.orderId ?? "", shopper };
}
const attemptOf = async (orderId: string) => {
  const rows = await h.deps.db.select().from(paymentAttempts).where(eq(paymentAttempts.orderId, orderId));
  expect(rows).toHaveLength(1);
  return rows[0] as NonNullable<(typeof rows)[0]>;
};
const orderStatus = async (orderId: string) =>
  (await h.deps.db.select({ status: orders.status }).from(orders).where(eq(orders.id, orderId)))[0]?.status;

describe("API v3 prepay, every channel", () => {
  it("H5: an h5_url from /v3/pay/transactions/h5; the v3 notify pays the order once and is answered 204", async () => {
    const { orderId, shopper } = await newOrder();
    const r = await shopper.mutate<{ channel: string; mwebUrl: string }>("prepay", {
      orderId,
      channel: "h5",
    });
    expect(r.status).toBe(200);
    expect(r.data?.mwebUrl).toContain("redirect_url=");
    const a = await attemptOf(orderId);
    expect(a).toMatchObject({ apiVersion: "v3", tradeType: "MWEB", status: "PREPAID", signType: "RSA" });
    expect(JSON.parse(a.requestXml)).toMatchObject({ outTradeNo: a.outTradeNo, amountFen: a.amountFen });

    await h.control.pay({ outTradeNo: a.outTradeNo });
    await eventually(
      () => orderStatus(orderId),
      (s) => s === "PAID",
    );
    const deliveries = await h.deps.db
      .select()
      .from(paymentNotifications)
      .where(eq(paymentNotifications.outTradeNo, a.outTradeNo));
    expect(deliveries.map((d) => [d.verdict, d.reply])).toContainEqual(["APPLIED", "204"]);
    expect(deliveries.filter((d) => d.verdict === "APPLIED")).toHaveLength(1);
  });

  it("JSAPI: RSA pay parameters for the official account's openid", async () => {
    const shopper = new Shopper(h.url);
    await shopper.oauth(h, "alice");
    const { orderId } = await newOrder(shopper);
    const r = await shopper.mutate<{ payParams: Record<string, string> }>("prepay", {
      orderId,
      channel: "jsapi",
    });
    expect(r.status).toBe(200);
    expect(r.data?.payParams).toMatchObject({ signType: "RSA", appId: h.deps.config.officialAccount.appId });
    expect(r.data?.payParams.package).toMatch(/^prepay_id=/);
    const a = await attemptOf(orderId);
    await h.control.pay({ outTradeNo: a.outTradeNo });
    await eventually(
      () => orderStatus(orderId),
      (s) => s === "PAID",
    );
  });

  it("mini-program: RSA pay parameters without appId; orderStatus settles it from a v3 query", async () => {
    const shopper = new Shopper(h.url);
    await shopper.miniLogin(h, "bob");
    const { orderId } = await newOrder(shopper);
    const r = await shopper.mutate<{ payParams: Record<string, string> }>("prepay", {
      orderId,
      channel: "mini",
    });
    expect(r.status).toBe(200);
    expect(r.data?.payParams.signType).toBe("RSA");
    expect(r.data?.payParams).not.toHaveProperty("appId");
    const a = await attemptOf(orderId);
    // The notify is lost on the way: only the query can tell.
    await h.control.setFault({ outTradeNo: a.outTradeNo }, { drop: true });
    await h.control.pay({ outTradeNo: a.outTradeNo });
    const status = await eventually(
      () => shopper.query<{ status: string }>("orderStatus", { orderId }),
      (s) => s.data?.status === "PAID",
    );
    expect(status.data?.status).toBe("PAID");
  });

  it("NATIVE: a code_url from /v3/pay/transactions/native, paid by a scan", async () => {
    const { orderId, shopper } = await newOrder();
    const r = await shopper.mutate<{ codeUrl: string }>("prepay", { orderId, channel: "native" });
    expect(r.status).toBe(200);
    expect(r.data?.codeUrl).toMatch(/^weixin:\/\//);
    await h.control.scan({ codeUrl: r.data?.codeUrl ?? "" });
    await eventually(
      () => orderStatus(orderId),
      (s) => s === "PAID",
    );
    expect((await attemptOf(orderId)).apiVersion).toBe("v3");
  });
});
