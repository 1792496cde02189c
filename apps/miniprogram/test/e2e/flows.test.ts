// The built mini-program's own runtime (dist/shared/index.js) with the simulator's `wx` shim, against the web
// app's production build and the simulator: every call crosses Next's tRPC route over HTTP, so a change of the
// router's wire shape breaks these tests. Payment truth comes from orderStatus, whatever the pay sheet said.
// Every test runs against the shop on WeChat Pay API v2 and on v3 (servers.global.ts starts both).
import { beforeEach, describe, expect, inject, test } from "vitest";

import { createSimControl } from "@wxpay/wechat-sim/control-client";
import { createWx } from "@wxpay/wechat-sim/wx-shim";

import type { TStoredToken } from "../../src/shared/index";
import { MINI_APPID } from "../helpers/constants";
import { loadShared } from "../helpers/load-built";
import type { TApiVersion } from "./servers.global";

const mp = loadShared(inject("builtDir"));
const shopUrls = inject("shopUrls");
const versions = Object.keys(shopUrls) as TApiVersion[];
const control = createSimControl(inject("simUrl"));
/** Where WeChat posts the payment notify of an attempt made with this API version. */
const payNotifyPath = (v: TApiVersion) =>
  v === "v2" ? "/api/wechat/pay/notify" : "/api/wechat/v3/pay/notify";

let userId: string;
let wx: ReturnType<typeof createWx>;
beforeEach(async () => {
  userId = (await control.createUser({ nickname: "小程序用户" })).userId;
  wx = createWx({ simUrl: control.url, appId: MINI_APPID, userId });
});

/** The simulator's orders of this test's user under the mini-program's appid. */
async function simOrders() {
  const user = (await control.users()).find((u) => u.userId === userId);
  return (await control.orders()).filter((o) => o.openid === user?.openids[MINI_APPID]);
}

async function eventually<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`not reached; last ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.each(versions)(
  "API %s: wx.login → miniLogin → createOrder → prepay(mini) → wx.requestPayment → orderStatus",
  (v) => {
    const shopUrl = shopUrls[v] ?? "";
    test("paid: the pay sheet says ok, the notify reaches the web app, and orderStatus answers PAID", async () => {
      const shop = mp.createShop({ apiBaseUrl: shopUrl, wx, confirm: { attempts: 20, intervalMs: 250 } });
      const products = await shop.products();
      const longjing = products.find((p) => p.sku === "TEA-LONGJING");
      expect(longjing?.priceFen).toBe(12800);

      const order = await shop.createOrder([{ sku: "TEA-LONGJING", qty: 2 }]);
      expect(order).toMatchObject({ status: "PENDING", amountFen: 25600 });
      expect(shop.session.logins).toBe(1);

      const outcome = await shop.pay(order.orderId);
      expect(outcome).toEqual({ hint: "ok", errMsg: "requestPayment:ok" });
      const view = await shop.confirm(order.orderId, outcome.hint);
      expect(view).toMatchObject({ orderId: order.orderId, status: "PAID", amountFen: 25600 });
      expect(view.items).toEqual([{ sku: "TEA-LONGJING", title: "西湖龙井 50g", qty: 2, priceFen: 12800 }]);
      expect(Date.parse(view.paidAt ?? "")).not.toBeNaN();

      const [simOrder] = await simOrders();
      expect(simOrder).toMatchObject({
        tradeType: "JSAPI",
        appId: MINI_APPID,
        totalFee: 25600,
        tradeState: "SUCCESS",
        apiVersion: v,
      });
      expect(simOrder?.notifyUrl).toBe(`${shopUrl}${payNotifyPath(v)}`);
      // The web app's notify route acknowledged WeChat's notify.
      const jobs = await eventually(
        () => control.notifies({ outTradeNo: simOrder?.outTradeNo ?? "", kind: "pay" }),
        (js) => js.some((j) => j.attempts.some((a) => a.outcome === "SUCCESS")),
      );
      expect(jobs[0]).toMatchObject({ apiVersion: v, url: `${shopUrl}${payNotifyPath(v)}` });
      expect((await shop.client.myOrders.query()).map((o) => [o.orderId, o.status])).toEqual([
        [order.orderId, "PAID"],
      ]);
    });

    test("cancelled: `requestPayment:fail cancel` leaves the order PENDING and unpaid at WeChat; paying again succeeds", async () => {
      wx.sim.setPaymentAction("cancel");
      const shop = mp.createShop({ apiBaseUrl: shopUrl, wx, confirm: { attempts: 20, intervalMs: 250 } });
      const order = await shop.createOrder([{ sku: "CUP-CELADON", qty: 1 }]);
      const outcome = await shop.pay(order.orderId);
      expect(outcome).toEqual({ hint: "cancel", errMsg: "requestPayment:fail cancel" });
      // After a cancel the page asks once and does not wait.
      const started = Date.now();
      expect((await shop.confirm(order.orderId, outcome.hint)).status).toBe("PENDING");
      expect(Date.now() - started).toBeLessThan(2000);
      expect((await simOrders()).map((o) => o.tradeState)).toEqual(["NOTPAY"]);

      wx.sim.setPaymentAction("ok");
      const again = await shop.pay(order.orderId);
      expect(again.hint).toBe("ok");
      expect((await shop.confirm(order.orderId, again.hint)).status).toBe("PAID");
      expect((await simOrders()).filter((o) => o.tradeState === "SUCCESS")).toHaveLength(1);
    });

    test("a lost notify: WeChat never calls back, and orderStatus recovers the payment by asking WeChat", async () => {
      const fault = await control.setFault({}, { drop: true });
      try {
        const shop = mp.createShop({ apiBaseUrl: shopUrl, wx, confirm: { attempts: 20, intervalMs: 500 } });
        const order = await shop.createOrder([{ sku: "TEA-PUER", qty: 1 }]);
        const outcome = await shop.pay(order.orderId);
        expect(outcome.hint).toBe("ok");
        const [simOrder] = await simOrders();
        expect(simOrder?.tradeState).toBe("SUCCESS");

        const view = await shop.confirm(order.orderId, outcome.hint);
        expect(view).toMatchObject({ status: "PAID", amountFen: 26800 });
        const jobs = await control.notifies({ outTradeNo: simOrder?.outTradeNo ?? "", kind: "pay" });
        expect(jobs.flatMap((j) => j.attempts).some((a) => a.outcome === "SUCCESS")).toBe(false);
      } finally {
        await control.clearFaults({ id: fault.id });
      }
    });
  },
);

describe.each(versions)("API %s: the Bearer session against the web app", (v) => {
  const shopUrl = shopUrls[v] ?? "";
  test("a token the server refuses is replaced by a new login and the call repeated", async () => {
    let held: TStoredToken | undefined = {
      token: "not.a.token",
      expiresAt: new Date(Date.now() + 3600_000).toISOString(),
    };
    const store = {
      load: () => held,
      save: (t: TStoredToken) => void (held = t),
      clear: () => void (held = undefined),
    };
    const shop = mp.createShop({ apiBaseUrl: shopUrl, wx, tokenStore: store });
    const order = await shop.createOrder([{ sku: "TEST-1FEN", qty: 1 }]);
    expect(order.amountFen).toBe(1);
    expect(shop.session.logins).toBe(1);
    expect(held?.token).not.toBe("not.a.token");
    expect(await shop.client.myOrders.query()).toHaveLength(1);
  });

  test("one customer cannot see or pay another's order (NOT_FOUND)", async () => {
    const owner = mp.createShop({ apiBaseUrl: shopUrl, wx });
    const order = await owner.createOrder([{ sku: "TEA-PUER", qty: 1 }]);
    const other = createWx({
      simUrl: control.url,
      appId: MINI_APPID,
      userId: (await control.createUser()).userId,
    });
    const stranger = mp.createShop({ apiBaseUrl: shopUrl, wx: other });
    expect(mp.appCodeOf(await stranger.orderStatus(order.orderId).catch((e: unknown) => e))).toBe(
      "NOT_FOUND",
    );
    expect(mp.appCodeOf(await stranger.pay(order.orderId).catch((e: unknown) => e))).toBe("NOT_FOUND");
  });
});
