// NATIVE (desktop QR) in core: prepay hands out WeChat's code_url, re-entry reuses the same attempt, and a scan-and-pay
// at the simulator settles the order through the same notify as every other channel.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { openH5Session, prepay } from "@wxpay/core";
import { orders, paymentAttempts } from "@wxpay/db";

import type { Harness } from "./harness";
import { eventually, Shopper, startHarness } from "./harness";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ label: "api_native_prepay" });
});
afterAll(async () => {
  await h.close();
});

describe("prepay channel native", () => {
  it("returns WeChat's code_url, stores it on one NATIVE attempt and reuses it on re-entry", async () => {
    const shopper = new Shopper(h.url);
    const r = await shopper.mutate<{ orderId: string }>("createOrder", {
      items: [{ sku: "TEA-LONGJING", qty: 1 }],
    });
    const orderId = r.data?.orderId ?? "";
    const session = openH5Session(h.deps.config.sessionSecret, shopper.cookie, h.deps.now());
    const first = await prepay(h.deps, { session, orderId, channel: "native", clientIp: "127.0.0.1" });
    expect(first.channel).toBe("native");
    if (first.channel !== "native") throw new Error("not native");
    expect(first.codeUrl).toMatch(/^weixin:\/\/wxpay\//);
    const again = await prepay(h.deps, { session, orderId, channel: "native", clientIp: "127.0.0.1" });
    expect(again).toEqual(first);

    const rows = await h.deps.db.select().from(paymentAttempts).where(eq(paymentAttempts.orderId, orderId));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      channel: "native",
      tradeType: "NATIVE",
      status: "PREPAID",
      codeUrl: first.codeUrl,
      apiVersion: "v2",
    });
    expect(rows[0]?.requestXml).toMatch(/<product_id>(<!\[CDATA\[)?TEA-LONGJING/);
    const [sim] = await h.control.orders({ outTradeNo: rows[0]?.outTradeNo });
    expect(sim?.tradeType).toBe("NATIVE");

    await h.control.scan({ codeUrl: first.codeUrl });
    const paid = await eventually(
      () => h.deps.db.select().from(orders).where(eq(orders.id, orderId)),
      (o) => o[0]?.status === "PAID",
    );
    expect(paid[0]?.paidAttemptId).toBe(rows[0]?.id);
  });
});
