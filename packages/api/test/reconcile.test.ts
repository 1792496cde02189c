// Reconciliation converges to WeChat's truth without the notify, closes what expired, and runs each tick once
// however many instances share the database. Once with the shop on WeChat Pay API v2 (orderquery, closeorder, the
// text bill) and once on v3 (the v3 query and close, the trade bill with its hash), each on its own database and
// simulator.
import { eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { CoreDeps } from "@wxpay/core";
import {
  createCoreDeps,
  listOrdersNeedingReview,
  reconcileBill,
  reconcilePass,
  reconcileTick,
} from "@wxpay/core";
import { createDbHandle, orderEvents, orders, paymentAttempts, reconcilerTicks } from "@wxpay/db";
import { sandboxV3Credentials } from "@wxpay/core/testing";
import { formatBeijingTime } from "@wxpay/wechatpay";

import type { Harness } from "./harness";
import { Shopper, startHarness } from "./harness";

describe.each(["v2", "v3"] as const)("API %s", (apiVersion) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ label: `api_reconcile_${apiVersion}`, config: { apiVersion } });
  });
  afterAll(async () => {
    await h?.close();
  });

  async function prepaidOrder(): Promise<{ orderId: string; outTradeNo: string; shopper: Shopper }> {
    const shopper = new Shopper(h.url);
    const created = await shopper.mutate<{ orderId: string }>("createOrder", {
      items: [{ sku: "TEST-1FEN", qty: 3 }],
    });
    const orderId = created.data?.orderId ?? "";
    const r = await shopper.mutate("prepay", { orderId, channel: "h5" });
    if (r.status !== 200) throw new Error(JSON.stringify(r.error));
    const [a] = await h.deps.db.select().from(paymentAttempts).where(eq(paymentAttempts.orderId, orderId));
    // The attempt, and so every query and close of it, speaks the version the shop is switched to.
    expect(a?.apiVersion).toBe(apiVersion);
    return { orderId, outTradeNo: a?.outTradeNo ?? "", shopper };
  }

  const statusOf = async (orderId: string) =>
    (await h.deps.db.select({ s: orders.status }).from(orders).where(eq(orders.id, orderId)))[0]?.s;

  describe("reconciliation", () => {
    it("the simulator drops every notify: each paid order is PAID after one pass", async () => {
      await h.control.setFault({ mchId: h.deps.config.mchId }, { drop: true });
      const paid = await Promise.all([prepaidOrder(), prepaidOrder(), prepaidOrder()]);
      const unpaid = await prepaidOrder();
      for (const p of paid) await h.control.pay({ outTradeNo: p.outTradeNo, userId: "alice" });
      expect(await Promise.all(paid.map((p) => statusOf(p.orderId)))).toEqual([
        "PENDING",
        "PENDING",
        "PENDING",
      ]);

      // Nothing is due before the first back-off step (+1 minute).
      expect((await reconcilePass(h.deps)).checked).toBe(0);
      await h.advance(61_000);
      const stats = await reconcilePass(h.deps);
      expect(stats).toMatchObject({ checked: 4, paid: 3 });
      expect(await Promise.all(paid.map((p) => statusOf(p.orderId)))).toEqual(["PAID", "PAID", "PAID"]);
      expect(await statusOf(unpaid.orderId)).toBe("PENDING");
      const events = await h.deps.db
        .select()
        .from(orderEvents)
        .where(
          inArray(
            orderEvents.orderId,
            paid.map((p) => p.orderId),
          ),
        );
      expect(events.filter((e) => e.type === "PAID").map((e) => e.source)).toEqual([
        "orderquery",
        "orderquery",
        "orderquery",
      ]);
      // The unpaid one is scheduled on the back-off (+5 minutes), not checked again at once.
      expect((await reconcilePass(h.deps)).checked).toBe(0);
      await h.control.clearFaults({ mchId: h.deps.config.mchId });
    });

    it("an expired attempt is closed at WeChat (not before 5 minutes), the order CLOSED, and a late payment needs review", async () => {
      const p = await prepaidOrder();
      // Past the order's 30-minute life.
      await h.advance(31 * 60_000);
      await reconcilePass(h.deps);
      const [attempt] = await h.deps.db
        .select()
        .from(paymentAttempts)
        .where(eq(paymentAttempts.outTradeNo, p.outTradeNo));
      expect(attempt?.status).toBe("CLOSED");
      expect(await statusOf(p.orderId)).toBe("CLOSED");
      const [atWechat] = await h.control.orders({ outTradeNo: p.outTradeNo });
      expect(atWechat?.tradeState).toBe("CLOSED");
      // Paying again is refused; the shopper places a new order.
      const again = await p.shopper.mutate("prepay", { orderId: p.orderId, channel: "h5" });
      expect(again.error?.data.appCode).toBe("ORDER_CLOSED");
    });

    it("the attempt a paid order no longer needs is closed at WeChat, but never within 5 minutes of its creation", async () => {
      const p = await prepaidOrder();
      await p.shopper.oauth(h, "alice");
      const r = await p.shopper.mutate("prepay", { orderId: p.orderId, channel: "jsapi" });
      expect(r.status).toBe(200);
      const jsapi = (
        await h.deps.db.select().from(paymentAttempts).where(eq(paymentAttempts.orderId, p.orderId))
      ).find((a) => a.channel === "jsapi");
      await h.control.pay({ outTradeNo: jsapi?.outTradeNo, userId: "alice" });
      const attemptOf = async () =>
        (
          await h.deps.db.select().from(paymentAttempts).where(eq(paymentAttempts.outTradeNo, p.outTradeNo))
        )[0]?.status;
      for (let i = 0; i < 50 && (await statusOf(p.orderId)) !== "PAID"; i++)
        await new Promise((res) => setTimeout(res, 50));
      expect(await attemptOf()).toBe("SUPERSEDED");
      await h.advance(61_000);
      // Not even asked to close yet: on v2 WeChat would refuse it; on v3 it would close it.
      expect(await reconcilePass(h.deps)).toMatchObject({ closedAttempts: 0, errors: 0 });
      expect(await attemptOf()).toBe("SUPERSEDED");
      expect((await h.control.orders({ outTradeNo: p.outTradeNo }))[0]?.tradeState).toBe("NOTPAY");
      await h.advance(4 * 60_000);
      await reconcilePass(h.deps);
      expect(await attemptOf()).toBe("CLOSED");
      expect((await h.control.orders({ outTradeNo: p.outTradeNo }))[0]?.tradeState).toBe("CLOSED");
      expect(await statusOf(p.orderId)).toBe("PAID");
    });

    it("a payment that lands on an order closed locally becomes PAID_NEEDS_REVIEW and is listed for an operator", async () => {
      const p = await prepaidOrder();
      await h.control.setFault({ mchId: h.deps.config.mchId, outTradeNo: p.outTradeNo }, { drop: true });
      await h.control.pay({ outTradeNo: p.outTradeNo, userId: "bob" });
      // The shop closed the order on its own (e.g. an operator), while WeChat took the money.
      await h.deps.db.update(orders).set({ status: "CLOSED" }).where(eq(orders.id, p.orderId));
      await h.advance(61_000);
      await reconcilePass(h.deps);
      expect(await statusOf(p.orderId)).toBe("PAID_NEEDS_REVIEW");
      const review = await listOrdersNeedingReview(h.deps);
      expect(review.find((r) => r.orderId === p.orderId)?.events.map((e) => e.type)).toEqual([
        "CREATED",
        "PAID_NEEDS_REVIEW",
      ]);
    });

    it("two instances ticking on one database run each tick once", async () => {
      // A second instance: its own connection pool on the same database, same WeChat.
      const second = await createDbHandle({
        databaseUrl: process.env.WXPAY_TEST_PG_URL ? dbUrlOf(h) : undefined,
        pgliteDataDir: "memory://",
      });
      const other: CoreDeps = process.env.WXPAY_TEST_PG_URL
        ? createCoreDeps({
            db: second.db,
            config: h.deps.config,
            log: h.deps.log,
            now: h.deps.now,
            wechat: {
              payBase: h.sim.url,
              apiBase: h.sim.url,
              openBase: h.sim.url,
              v3: sandboxV3Credentials(),
            },
          })
        : h.deps; // PGlite lives in one process: the second "instance" shares its connection.
      const intervalMs = 60_000;
      const ran: string[] = [];
      for (let tick = 0; tick < 4; tick++) {
        const results = await Promise.all([
          reconcileTick(h.deps, { instance: "web-1", intervalMs }),
          reconcileTick(other, { instance: "web-2", intervalMs }),
        ]);
        expect(results.filter((r) => r.ran)).toHaveLength(1);
        ran.push(...results.filter((r) => r.ran).map((r) => r.slot.toISOString()));
        await h.advance(intervalMs);
      }
      expect(new Set(ran).size).toBe(4);
      const rows = await h.deps.db.select().from(reconcilerTicks);
      for (const slot of ran) expect(rows.filter((r) => r.slot.toISOString() === slot)).toHaveLength(1);
      await second.close();
    });
  });

  describe("the daily bill", () => {
    it("a trade paid at WeChat that no notify or sweep brought in is applied from the bill check; the next check is clean", async () => {
      const missed = await prepaidOrder();
      await h.control.setFault({ mchId: h.deps.config.mchId, outTradeNo: missed.outTradeNo }, { drop: true });
      await h.control.pay({ outTradeNo: missed.outTradeNo, userId: "alice" });
      const billDate = formatBeijingTime(h.deps.now()).slice(0, 8);
      // WeChat: the bill of a day is ready the next day at 10:00 Beijing time.
      await h.advance(36 * 3600_000);
      const first = await reconcileBill(h.deps, { billDate });
      expect(first.differences).toEqual([
        {
          kind: "APPLIED_FROM_BILL",
          outTradeNo: missed.outTradeNo,
          transactionId: expect.any(String) as string,
        },
      ]);
      expect(first.matched).toBe(first.trades - 1);
      expect(await statusOf(missed.orderId)).toBe("PAID");
      const second = await reconcileBill(h.deps, { billDate });
      expect(second).toMatchObject({ trades: first.trades, matched: first.trades, differences: [] });
    });
  });
});

function dbUrlOf(harness: Harness): string | undefined {
  return harness.core.databaseUrl;
}
