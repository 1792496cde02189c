// Two production web processes on one PostgreSQL database, the simulator over HTTP: notifies spread across both
// instances and duplicated still make exactly one transition per order; reconciliation runs once per tick across
// the pair and pays what the notify never delivered; an expired attempt is closed only after WeChat's 5 minutes,
// and a late payment for it goes to review. Once with the shop on API v2 and once on v3 (XML notifies to
// /api/wechat/pay/notify, or signed JSON ones to /api/wechat/v3/pay/notify; orderquery or the v3 query).
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { requirePostgres } from "@wxpay/testkit/postgres";
import { SANDBOX } from "@wxpay/wechat-sim";

import type { TApiVersion } from "../src/api-version";
import { apiVersions, deliveryOf, genuinePayNotify, payNotifyPath, postPayNotify } from "../src/api-version";
import { eventuallyAllPaid, notificationVerdicts, orderStates, outTradeNoOf } from "../src/shop-db";
import { Shopper } from "../src/shopper";
import type { TSystem } from "../src/system";
import { eventually, sleep, startSystem } from "../src/system";
import type { WebProcess } from "../src/web-process";
import { startWeb } from "../src/web-process";

// Under CI=true a machine without PostgreSQL fails this suite instead of skipping it.
const hasPostgres = requirePostgres("two web instances on one database");

describe.runIf(hasPostgres).each(apiVersions())(
  "two web instances on one database, API %s",
  (v: TApiVersion) => {
    let sys: TSystem;
    let a: WebProcess;
    let b: WebProcess;

    beforeAll(async () => {
      // Simulated time runs 10x: the simulator's duplicate copies come 100 ms apart instead of a second.
      sys = await startSystem({ timeScale: 10 });
      // Both first boots at the same moment on an empty database: each applies migrations at boot, serialised by an
      // advisory lock, so neither collides on CREATE TABLE.
      [a, b] = await Promise.all([
        startWeb({
          databaseUrl: sys.databaseUrl,
          simUrl: sys.sim.url,
          reconcileIntervalSeconds: 1,
          apiVersion: v,
        }),
        startWeb({
          databaseUrl: sys.databaseUrl,
          simUrl: sys.sim.url,
          reconcileIntervalSeconds: 1,
          apiVersion: v,
        }),
      ]);
      for (const web of [a, b]) expect((await fetch(`${web.url}/api/health`)).status).toBe(200);
    });
    afterAll(async () => {
      await Promise.all([a?.stop(), b?.stop()]);
      await sys?.close();
    });

    /** `n` H5 orders placed through `web` (so their notify_url is `web`'s), each with its out_trade_no. */
    async function placeOrders(
      web: WebProcess,
      n: number,
    ): Promise<{ orderId: string; outTradeNo: string; web: WebProcess }[]> {
      const shopper = new Shopper(web.url);
      const out = [];
      for (let i = 0; i < n; i++) {
        const { orderId } = await shopper.placeH5Order();
        out.push({ orderId, outTradeNo: await outTradeNoOf(sys.sql, orderId), web });
      }
      return out;
    }

    it("notifies spread across both instances and duplicated: exactly one PAID transition per order", async () => {
      const placed = [...(await placeOrders(a, 10)), ...(await placeOrders(b, 10))];
      // WeChat sends duplicates, from several servers: two extra copies of every first delivery.
      await sys.control.setFault({ mchId: SANDBOX.mchId }, { duplicate: 2 });
      await Promise.all(placed.map((p) => sys.control.pay({ outTradeNo: p.outTradeNo, userId: "alice" })));

      // Behind a load balancer the same notify also reaches the other instance at the same moment.
      const jobs = await eventually(
        () => sys.control.notifies({ mchId: SANDBOX.mchId, kind: "pay" }),
        // Finished, so the record holds what went over the wire (v3: the signed headers are recorded with the reply).
        (js) =>
          placed.every((p) =>
            js.some((j) => j.outTradeNo === p.outTradeNo && j.attempts[0]?.outcome !== undefined),
          ),
        20_000,
        "a first delivery of every notify",
      );
      const replays = await Promise.all(
        placed.flatMap((p) => {
          const first = jobs.find((j) => j.outTradeNo === p.outTradeNo)?.attempts[0];
          if (!first) throw new Error(`no delivery of ${p.outTradeNo}`);
          return [a, b, a, b].map((web) => postPayNotify(web.url, v, deliveryOf(first)));
        }),
      );
      // Every copy of a recorded payment is acknowledged, so WeChat stops sending it.
      for (const reply of replays) expect(reply, reply.text).toMatchObject({ acknowledged: true });

      const done = await eventually(
        () => sys.control.notifies({ mchId: SANDBOX.mchId, kind: "pay" }),
        (js) =>
          js.every(
            (j) =>
              j.status === "delivered" &&
              j.attempts.length >= 3 &&
              j.attempts.every((x) => x.outcome !== undefined),
          ),
        20_000,
        "every notify and its duplicates delivered",
      );
      // The simulator really spread the notifies over both instances, to this version's route.
      const ports = new Set(done.map((j) => new URL(j.url).port));
      expect(ports).toEqual(new Set([String(a.port), String(b.port)]));
      expect(new Set(done.map((j) => [j.apiVersion, new URL(j.url).pathname].join(" ")))).toEqual(
        new Set([`${v} ${payNotifyPath(v)}`]),
      );
      expect(done.flatMap((j) => j.attempts.map((x) => x.outcome))).toEqual(
        done.flatMap((j) => j.attempts.map(() => "SUCCESS")),
      );

      const states = await orderStates(
        sys.sql,
        placed.map((p) => p.orderId),
      );
      expect(states).toHaveLength(placed.length);
      for (const s of states) {
        expect(s, s.id).toMatchObject({
          status: "PAID",
          paidEvents: 1,
          reviewEvents: 0,
          attemptStatus: "PAID",
        });
        expect(s.transactionId).toBe(s.attemptTransactionId);
      }
      // Every delivery was recorded; exactly one per payment applied it, every other one was a duplicate.
      const verdicts = await notificationVerdicts(
        sys.sql,
        placed.map((p) => p.outTradeNo),
      );
      const deliveries = done.reduce((n, j) => n + j.attempts.length, 0) + replays.length;
      expect(verdicts).toHaveLength(deliveries);
      for (const p of placed) {
        const mine = verdicts.filter((v) => v.outTradeNo === p.outTradeNo);
        expect(
          mine.filter((v) => v.verdict === "APPLIED"),
          p.outTradeNo,
        ).toHaveLength(1);
        expect(mine.filter((v) => v.verdict !== "APPLIED" && v.verdict !== "DUPLICATE")).toEqual([]);
      }
      await sys.control.clearFaults({ mchId: SANDBOX.mchId });
    });

    it("the simulator drops every notify: the reconciler pays each order in one pass, once per tick across the pair", async () => {
      await sys.control.setFault({ mchId: SANDBOX.mchId }, { drop: true });
      const placed = [...(await placeOrders(a, 3)), ...(await placeOrders(b, 3))];
      for (const p of placed) await sys.control.pay({ outTradeNo: p.outTradeNo, userId: "alice" });
      await sleep(1500);
      const before = await orderStates(
        sys.sql,
        placed.map((p) => p.orderId),
      );
      expect(before.map((s) => s.status)).toEqual(placed.map(() => "PENDING"));

      // The attempts' first check is due one minute after prepay; bring it forward instead of waiting.
      const [due] = await sys.sql<{ since: Date }[]>`
      update payment_attempts set next_check_at = now()
       where out_trade_no in ${sys.sql(placed.map((p) => p.outTradeNo))}
      returning now() as since`;
      const since = due?.since ?? new Date();
      const paid = await eventuallyAllPaid(
        sys.sql,
        placed.map((p) => p.orderId),
        10_000,
        "every order PAID by the reconciler",
      );
      for (const s of paid) expect(s, s.id).toMatchObject({ paidEvents: 1, attemptStatus: "PAID" });
      const [events] = await sys.sql<{ sources: string[] }[]>`
      select array_agg(source order by source) as sources from order_events
       where type = 'PAID' and order_id in ${sys.sql(placed.map((p) => p.orderId))}`;
      expect(events?.sources).toEqual(placed.map(() => "orderquery"));

      // Let a few more ticks pass, then read the tick log: one row per one-second slot, each run by one of the pair,
      // and between them the six attempts were queried and paid exactly once (no instance repeated another's work).
      await sleep(3000);
      const ticks = await sys.sql<{ slot: Date; instance: string; checked: number; paid: number }[]>`
      select slot, instance, coalesce((stats->>'checked')::int, 0) as checked, coalesce((stats->>'paid')::int, 0) as paid
        from reconciler_ticks where slot >= date_trunc('second', ${since}::timestamptz) order by slot`;
      for (const t of ticks) expect([a.instance, b.instance]).toContain(t.instance);
      const first = ticks[0]?.slot.getTime() ?? 0;
      const last = ticks[ticks.length - 1]?.slot.getTime() ?? 0;
      const slots = (last - first) / 1000 + 1;
      expect(slots).toBeGreaterThanOrEqual(4);
      // At most one run per slot (two instances ticking every second would otherwise give two), and few gaps.
      expect(ticks.length).toBeLessThanOrEqual(slots);
      expect(ticks.length).toBeGreaterThanOrEqual(slots - 2);
      expect(ticks.reduce((n, t) => n + t.paid, 0)).toBe(placed.length);
      expect(ticks.reduce((n, t) => n + t.checked, 0)).toBe(placed.length);
      await sys.control.clearFaults({ mchId: SANDBOX.mchId });
    });

    it("an expired attempt is closed only after WeChat's 5 minutes, and a late notify for it goes to review", async () => {
      const [old, young] = await placeOrders(a, 2);
      if (!old || !young) throw new Error("orders not placed");
      // Both orders are past their expiry; only `old`'s attempt is older than 5 minutes (here and at WeChat).
      await sys.sql`update orders set expires_at = now() - interval '1 minute' where id in ${sys.sql([old.orderId, young.orderId])}`;
      await sys.sql`update payment_attempts set created_at = now() - interval '6 minutes' where out_trade_no = ${old.outTradeNo}`;
      await sys.control.advanceClock(6 * 60_000);
      await sys.sql`update payment_attempts set next_check_at = now() where out_trade_no in ${sys.sql([old.outTradeNo, young.outTradeNo])}`;

      const [closed] = await eventually(
        () => orderStates(sys.sql, [old.orderId]),
        (rows) => rows[0]?.status === "CLOSED",
        10_000,
        "the expired order CLOSED",
      );
      expect(closed?.attemptStatus).toBe("CLOSED");
      expect((await sys.control.orders({ outTradeNo: old.outTradeNo }))[0]?.tradeState).toBe("CLOSED");

      // The young attempt was looked at but not closed: closeorder is not allowed yet, its next check is at 5 minutes.
      const [y] = await orderStates(sys.sql, [young.orderId]);
      expect(y).toMatchObject({ status: "PENDING", attemptStatus: "PREPAID" });
      const [schedule] = await sys.sql<{ checks: number; dueAfterCreate: number }[]>`
      select check_count as checks, extract(epoch from next_check_at - created_at)::int as "dueAfterCreate"
        from payment_attempts where out_trade_no = ${young.outTradeNo}`;
      expect(schedule?.checks).toBeGreaterThanOrEqual(1);
      expect(schedule?.dueAfterCreate).toBeGreaterThanOrEqual(5 * 60 - 1);
      expect((await sys.control.orders({ outTradeNo: young.outTradeNo }))[0]?.tradeState).toBe("NOTPAY");

      // WeChat delivers, late, a payment the shopper made just before the close (to the other instance).
      const late = genuinePayNotify(v, {
        outTradeNo: old.outTradeNo,
        amountFen: 1,
        appId: SANDBOX.officialAppId,
        transactionId: "4200009999202601010000000001",
        openid: "oLateShopper000000000000000001",
        tradeType: "MWEB",
      });
      const res = await postPayNotify(b.url, v, late);
      // The money is recorded, so WeChat is told to stop; the order waits for an operator.
      expect(res, res.text).toMatchObject({ acknowledged: true });
      const [review] = await orderStates(sys.sql, [old.orderId]);
      expect(review).toMatchObject({ status: "PAID_NEEDS_REVIEW", paidEvents: 0, reviewEvents: 1 });
    });

    it("the instance that wins the ticks dies: the other one, which lost every race so far, runs them from then on", async () => {
      const [latest] = await sys.sql<
        { instance: string }[]
      >`select instance from reconciler_ticks order by slot desc limit 1`;
      const [winner, other] = latest?.instance === b.instance ? [b, a] : [a, b];
      await winner.stop();
      const stoppedAt = new Date();
      const after = await eventually(
        () =>
          sys.sql<
            { instance: string }[]
          >`select instance from reconciler_ticks where slot > ${stoppedAt} order by slot`,
        (rows) => rows.length >= 2,
        10_000,
        "ticks after the winner stopped",
      );
      expect(new Set(after.map((t) => t.instance))).toEqual(new Set([other.instance]));
    });
  },
);
