// The move from API v2 to v3 with payments in flight, as an operator does it: a production web process on v2 takes
// orders, is stopped, and the shop comes back on the same origin with WECHATPAY_API_VERSION=v3. The v2 attempts keep
// their version: WeChat's v2 notifies (duplicated, and replayed concurrently) still arrive at the v2 route and apply
// once, a lost one is settled by the shopper's orderStatus over v2 orderquery, another by the reconciler; a new order
// pays over v3. Every order is PAID exactly once.
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { requirePostgres } from "@wxpay/testkit/postgres";
import { SANDBOX } from "@wxpay/wechat-sim";

import { deliveryOf, payNotifyPath, postPayNotify } from "../src/api-version";
import { eventuallyAllPaid, orderStates, outTradeNoOf } from "../src/shop-db";
import { Shopper } from "../src/shopper";
import type { TSystem } from "../src/system";
import { eventually, startSystem } from "../src/system";
import type { WebProcess } from "../src/web-process";
import { startWeb } from "../src/web-process";

type TPlaced = { shopper: Shopper; orderId: string; outTradeNo: string };

const hasPostgres = requirePostgres("the shop switched from API v2 to v3 with orders in flight");

describe.runIf(hasPostgres)("the shop switched from API v2 to v3 with orders in flight", () => {
  let sys: TSystem;
  let web: WebProcess | undefined;

  beforeAll(async () => {
    sys = await startSystem();
  });
  afterAll(async () => {
    await web?.stop();
    await sys?.close();
  });

  it("v2 attempts settle over v2 after the restart on v3 (notify, orderStatus, reconciler), exactly once; new ones are v3", async () => {
    const v2 = await startWeb({ databaseUrl: sys.databaseUrl, simUrl: sys.sim.url, apiVersion: "v2" });
    web = v2;
    const placed: TPlaced[] = [];
    for (let i = 0; i < 3; i++) {
      const shopper = new Shopper(v2.url);
      const { orderId } = await shopper.placeH5Order();
      placed.push({ shopper, orderId, outTradeNo: await outTradeNoOf(sys.sql, orderId) });
    }
    const [notified, asked, swept] = placed as [(typeof placed)[0], (typeof placed)[0], (typeof placed)[0]];
    const versions = await sys.sql<{ apiVersion: string }[]>`
      select api_version as "apiVersion" from payment_attempts where out_trade_no in ${sys.sql(placed.map((p) => p.outTradeNo))}`;
    expect(versions.map((r) => r.apiVersion)).toEqual(["v2", "v2", "v2"]);

    // The redeploy: same origin (so the attempts' notify_url still reaches the shop), same database, now v3.
    await v2.stop();
    const v3 = await startWeb({
      databaseUrl: sys.databaseUrl,
      simUrl: sys.sim.url,
      apiVersion: "v3",
      port: v2.port,
      reconcileIntervalSeconds: 1,
    });
    web = v3;

    // 1. Paid after the restart: WeChat's v2 notify, with two duplicates, at the v2 route of the v3 shop.
    await sys.control.setFault({ mchId: SANDBOX.mchId, outTradeNo: notified.outTradeNo }, { duplicate: 2 });
    await sys.control.pay({ outTradeNo: notified.outTradeNo, userId: "alice" });
    const [job] = await eventually(
      () => sys.control.notifies({ outTradeNo: notified.outTradeNo, kind: "pay" }),
      (js) =>
        js.length === 1 &&
        (js[0]?.attempts.length ?? 0) >= 3 &&
        (js[0]?.attempts ?? []).every((a) => a.outcome !== undefined),
      20_000,
      "the v2 notify and its duplicates delivered",
    );
    if (!job) throw new Error("no notify job");
    expect(job).toMatchObject({ apiVersion: "v2", url: `${v3.url}${payNotifyPath("v2")}` });
    expect(job.attempts.map((a) => a.outcome)).toEqual(job.attempts.map(() => "SUCCESS"));
    // The same v2 notify at once, four times over: each acknowledged, nothing applied twice.
    const first = job.attempts[0];
    if (!first) throw new Error("no delivery");
    const replays = await Promise.all([1, 2, 3, 4].map(() => postPayNotify(v3.url, "v2", deliveryOf(first))));
    for (const r of replays) expect(r, r.text).toMatchObject({ acknowledged: true });

    // 2. Paid, the notify lost: the shopper's orderStatus asks WeChat over v2 (orderquery).
    await sys.control.setFault({ mchId: SANDBOX.mchId, outTradeNo: asked.outTradeNo }, { drop: true });
    await sys.control.pay({ outTradeNo: asked.outTradeNo, userId: "alice" });
    const shopper = asked.shopper.at(v3.url);
    const status = await eventually(
      () => shopper.query<{ status: string }>("orderStatus", { orderId: asked.orderId }),
      (r) => r.data?.status === "PAID",
      20_000,
      "orderStatus PAID",
    );
    expect(status.data?.status).toBe("PAID");

    // 3. Paid, the notify lost, nobody asks: the v3 shop's reconciler finds it over v2.
    await sys.control.setFault({ mchId: SANDBOX.mchId, outTradeNo: swept.outTradeNo }, { drop: true });
    await sys.control.pay({ outTradeNo: swept.outTradeNo, userId: "alice" });
    await sys.sql`update payment_attempts set next_check_at = now() where out_trade_no = ${swept.outTradeNo}`;

    const states = await eventuallyAllPaid(
      sys.sql,
      placed.map((p) => p.orderId),
      20_000,
      "the three v2 orders PAID",
    );
    for (const s of states) {
      expect(s, s.id).toMatchObject({
        status: "PAID",
        paidEvents: 1,
        reviewEvents: 0,
        attemptStatus: "PAID",
      });
      expect(s.transactionId).toBe(
        (await sys.control.orders({ outTradeNo: s.outTradeNo }))[0]?.transactionId,
      );
    }
    const sources = await sys.sql<{ orderId: string; source: string }[]>`
      select order_id as "orderId", source from order_events
       where type = 'PAID' and order_id in ${sys.sql(placed.map((p) => p.orderId))}`;
    const sourceOf = (orderId: string) => sources.filter((e) => e.orderId === orderId).map((e) => e.source);
    expect(sourceOf(notified.orderId)).toEqual(["notify"]);
    expect(sourceOf(asked.orderId)).toEqual(["orderquery"]);
    expect(sourceOf(swept.orderId)).toEqual(["orderquery"]);
    // WeChat was asked in v2 for the v2 attempts, and never told twice: one APPLIED delivery, the rest duplicates.
    const deliveries = await sys.sql<{ verdict: string }[]>`
      select verdict::text as verdict from payment_notifications where out_trade_no = ${notified.outTradeNo}`;
    expect(deliveries.filter((d) => d.verdict === "APPLIED")).toHaveLength(1);
    expect(deliveries.filter((d) => d.verdict !== "APPLIED" && d.verdict !== "DUPLICATE")).toEqual([]);
    expect(deliveries.length).toBe(job.attempts.length + replays.length);

    // 4. A new order on the restarted shop is a v3 attempt, paid by a v3 notify at the v3 route.
    const fresh = new Shopper(v3.url);
    const { orderId } = await fresh.placeH5Order();
    const outTradeNo = await outTradeNoOf(sys.sql, orderId);
    await sys.control.pay({ outTradeNo, userId: "alice" });
    const [paid] = await eventually(
      () => orderStates(sys.sql, [orderId]),
      (rows) => rows[0]?.status === "PAID",
      20_000,
      "the v3 order PAID",
    );
    expect(paid).toMatchObject({ paidEvents: 1, attemptStatus: "PAID" });
    const [attempt] = await sys.sql<{ apiVersion: string }[]>`
      select api_version as "apiVersion" from payment_attempts where out_trade_no = ${outTradeNo}`;
    expect(attempt?.apiVersion).toBe("v3");
    const [v3Job] = await sys.control.notifies({ outTradeNo, kind: "pay" });
    expect(v3Job).toMatchObject({ apiVersion: "v3", url: `${v3.url}${payNotifyPath("v3")}` });
    expect(v3.output()).not.toMatch(/TypeError|uncaughtException|unhandledRejection/);
  }, 180_000);
});
