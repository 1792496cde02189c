// No payment left open: an attempt is only CLOSED or FAILED here once WeChat's order for it is closed too (WeChat asks
// for closeorder after a failed payment, so that the shopper cannot pay the old one as well), and concurrent prepay
// calls for one order make at most one live attempt per channel.
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { openH5Session, prepay, reconcilePass } from "@wxpay/core";
import { paymentAttempts } from "@wxpay/db";

import type { Harness } from "./harness";
import { Shopper, startHarness } from "./harness";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ label: "api_no_open_payment", maxConnections: 30 });
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
const attemptsOf = (orderId: string) =>
  h.deps.db.select().from(paymentAttempts).where(eq(paymentAttempts.orderId, orderId));
const simState = async (outTradeNo: string) => (await h.control.orders({ outTradeNo })).at(0)?.tradeState;

describe("one live attempt per order and channel", () => {
  it("concurrent prepay calls for one order are serialised: one attempt, every caller gets its pay parameters", async () => {
    const { orderId, shopper } = await newOrder();
    const session = openH5Session(h.deps.config.sessionSecret, shopper.cookie, h.deps.now());
    // Straight into core, all in the same tick: the HTTP layer must not be what spaces them out.
    const replies = await Promise.allSettled(
      Array.from({ length: 8 }, () =>
        prepay(h.deps, { session, orderId, channel: "h5", clientIp: "127.0.0.1" }),
      ),
    );
    expect(replies.map((r) => r.status)).toEqual(Array.from({ length: 8 }, () => "fulfilled"));
    const rows = await attemptsOf(orderId);
    expect(rows).toHaveLength(1);
    expect(await h.control.orders({ outTradeNo: rows[0]?.outTradeNo })).toHaveLength(1);
  });

  it("the database itself refuses a second live attempt for one order and channel", async () => {
    const { orderId, shopper } = await newOrder();
    await shopper.mutate("prepay", { orderId, channel: "h5" });
    const [a] = await attemptsOf(orderId);
    if (!a) throw new Error("no attempt");
    const copy = { ...a, id: `${a.id}x`, outTradeNo: `${a.outTradeNo.slice(0, 28)}copy` };
    await expect(h.deps.db.insert(paymentAttempts).values(copy)).rejects.toThrow();
  });
});

describe("WeChat's order is closed before the attempt is closed here", () => {
  it("a payment that failed at WeChat (PAYERROR) is closed there with closeorder, then here", async () => {
    const { orderId, shopper } = await newOrder();
    await shopper.mutate("prepay", { orderId, channel: "h5" });
    const [a] = await attemptsOf(orderId);
    await h.control.pay({ outTradeNo: a?.outTradeNo, userId: "alice", result: "PAYERROR" });
    await h.advance(61_000);
    await reconcilePass(h.deps);
    // Within WeChat's 5 minutes closeorder is refused: the attempt waits, open at WeChat, never CLOSED here.
    const [waiting] = await attemptsOf(orderId);
    expect(waiting?.status).not.toBe("CLOSED");
    expect(await simState(a?.outTradeNo ?? "")).toBe("PAYERROR");
    // A new prepay does not hand out the failed attempt again.
    const again = await shopper.mutate<{ mwebUrl: string }>("prepay", { orderId, channel: "h5" });
    expect(again.status).toBe(200);
    expect((await attemptsOf(orderId)).filter((x) => x.status === "PREPAID")).toHaveLength(1);

    await h.advance(5 * 60_000);
    await reconcilePass(h.deps);
    expect(await simState(a?.outTradeNo ?? "")).toBe("CLOSED");
    const [closed] = (await attemptsOf(orderId)).filter((x) => x.id === a?.id);
    expect(closed?.status).toBe("CLOSED");
  });

  it("an out_trade_no WeChat refuses for good but still holds (201 商户订单号重复) is closed there, not just FAILED here", async () => {
    const { orderId, shopper } = await newOrder();
    await shopper.mutate("prepay", { orderId, channel: "h5" });
    const [a] = await attemptsOf(orderId);
    if (!a) throw new Error("no attempt");
    // The stored request no longer matches what WeChat holds for this out_trade_no (as after a botched migration).
    const changed = h.deps.pay.prepareUnifiedOrder({
      appId: a.appid,
      outTradeNo: a.outTradeNo,
      body: "茶与器-另一件商品",
      totalFeeFen: a.amountFen,
      notifyUrl: `${h.deps.config.appUrl}/api/wechat/pay/notify`,
      spbillCreateIp: "127.0.0.1",
      tradeType: "MWEB",
      sceneInfo: { type: "Wap", wapUrl: h.deps.config.appUrl, wapName: "茶与器" },
    });
    await h.deps.db
      .update(paymentAttempts)
      .set({ status: "CREATED", requestXml: changed.body, prepayId: null })
      .where(eq(paymentAttempts.id, a.id));

    const again = await shopper.mutate("prepay", { orderId, channel: "h5" });
    expect(again.status).toBe(200);
    const [old] = await h.deps.db
      .select()
      .from(paymentAttempts)
      .where(and(eq(paymentAttempts.id, a.id)));
    expect(old?.status).not.toBe("FAILED");
    expect(await simState(a.outTradeNo)).toBe("NOTPAY");

    await h.advance(6 * 60_000);
    await reconcilePass(h.deps);
    expect(await simState(a.outTradeNo)).toBe("CLOSED");
    const [closed] = await h.deps.db.select().from(paymentAttempts).where(eq(paymentAttempts.id, a.id));
    expect(closed?.status).toBe("CLOSED");
  });
});
