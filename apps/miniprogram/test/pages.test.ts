// @vitest-environment jsdom
// The pages' logic on the built mini-program, driven by miniprogram-simulate against the shop API (real router
// and core on tRPC's fetch adapter) and the WeChat simulator, through the simulator's `wx` shim.
import { beforeEach, describe, expect, inject, test } from "vitest";

import { createSimControl } from "@wxpay/wechat-sim/control-client";
import { createWx } from "@wxpay/wechat-sim/wx-shim";

import { MINI_APPID } from "./helpers/constants";
import { loadShared } from "./helpers/load-built";
import type { TNavigation } from "./helpers/pages";
import { openPage, recordNavigation, until } from "./helpers/pages";

type TIndexData = {
  loading: boolean;
  error: string;
  products: { sku: string; title: string; priceText: string }[];
};
type TOrderData = {
  step: string;
  sku: string;
  quantity: number;
  title: string;
  totalText: string;
  orderId: string;
  error: string;
};
type TResultData = {
  checking: boolean;
  status: string;
  statusText: string;
  amountText: string;
  paidAtText: string;
  items: { line: string }[];
  canPay: boolean;
  notice: string;
  error: string;
};

const builtDir = inject("builtDir");
const control = createSimControl(inject("simUrl"));
const mp = loadShared(builtDir);
let nav: TNavigation[];
let wx: ReturnType<typeof createWx>;
let userId: string;

/** The page query of a recorded navigation URL. */
function queryOf(url: string): Record<string, string> {
  return Object.fromEntries(new URL(url, "https://page.invalid").searchParams);
}

beforeEach(async () => {
  nav = recordNavigation();
  // Every test is a new WeChat user, so orders never mix between tests.
  userId = (await control.createUser({ nickname: "页面测试" })).userId;
  wx = createWx({ simUrl: control.url, appId: MINI_APPID, userId });
  mp.configureShop({ apiBaseUrl: inject("shopUrl"), wx, confirm: { attempts: 10, intervalMs: 100 } });
});

async function simOrdersOfUser() {
  const user = (await control.users()).find((u) => u.userId === userId);
  const openid = user?.openids[MINI_APPID];
  return (await control.orders()).filter((o) => o.openid === openid);
}

describe("商品列表 (pages/index)", () => {
  test("shows the server's catalog with prices in yuan, and 购买 opens the order page for that product", async () => {
    const page = await openPage<TIndexData>(builtDir, "index", {});
    expect(page.history("loading")).toEqual([true, false]);
    expect(page.data.error).toBe("");
    const longjing = page.data.products.find((p) => p.sku === "TEA-LONGJING");
    expect(longjing).toMatchObject({ title: "西湖龙井 50g", priceText: "¥128.00" });
    expect(page.data.products.find((p) => p.sku === "TEST-1FEN")?.priceText).toBe("¥0.01");
    expect(page.text(".price")).toBe("¥128.00");

    page.tap(".buy");
    await until(() => nav.length > 0);
    expect(nav).toEqual([{ api: "navigateTo", url: "/pages/order/index?sku=TEA-LONGJING&qty=1" }]);
  });

  test("when the API cannot be reached it says so in a sentence and offers to retry", async () => {
    mp.configureShop({ apiBaseUrl: "http://127.0.0.1:9", wx });
    const page = await openPage<TIndexData>(builtDir, "index", {});
    expect(page.data).toMatchObject({ loading: false, products: [], error: "网络不太好，请检查网络后重试" });
    expect(page.exists(".retry")).toBe(true);
    expect(page.exists(".buy")).toBe(false);
  });
});

describe("确认订单 → 支付结果 (pages/order, pages/result)", () => {
  test("paying: creating → paying → leaving, redirected with the order id; the result page confirms PAID from the server", async () => {
    const order = await openPage<TOrderData>(builtDir, "order", { sku: "TEA-LONGJING", qty: "2" });
    expect(order.data).toMatchObject({
      step: "ready",
      title: "西湖龙井 50g",
      quantity: 2,
      totalText: "¥256.00",
      orderId: "",
    });

    order.tap(".pay");
    await until(() => nav.length > 0);
    expect(order.history("step")).toEqual(["loading", "ready", "creating", "paying", "leaving"]);
    expect(order.data.orderId).toMatch(/^o_/);
    expect(order.data.totalText).toBe("¥256.00");
    expect(nav).toEqual([
      {
        api: "redirectTo",
        url: `/pages/result/index?orderId=${encodeURIComponent(order.data.orderId)}&hint=ok`,
      },
    ]);

    const result = await openPage<TResultData>(builtDir, "result", queryOf(nav[0]?.url ?? ""));
    expect(result.history("checking")).toEqual([true, false]);
    expect(result.data).toMatchObject({
      status: "PAID",
      statusText: "支付成功",
      amountText: "¥256.00",
      items: [{ line: "西湖龙井 50g × 2" }],
      canPay: false,
      notice: "",
      error: "",
    });
    expect(result.data.paidAtText).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
    expect(result.text(".status")).toBe("支付成功");
    expect(result.exists(".pay-again")).toBe(false);

    const [simOrder] = await simOrdersOfUser();
    expect(simOrder).toMatchObject({
      tradeType: "JSAPI",
      appId: MINI_APPID,
      totalFee: 25600,
      tradeState: "SUCCESS",
    });
  });

  test("cancelling the pay sheet: the result page says the order is unpaid and 重新支付 pays the same order", async () => {
    wx.sim.setPaymentAction("cancel");
    const order = await openPage<TOrderData>(builtDir, "order", { sku: "CUP-CELADON", qty: "1" });
    order.tap(".pay");
    await until(() => nav.length > 0);
    expect(nav[0]?.url).toMatch(/&hint=cancel$/);

    const result = await openPage<TResultData>(builtDir, "result", queryOf(nav[0]?.url ?? ""));
    expect(result.data).toMatchObject({
      status: "PENDING",
      statusText: "待支付",
      amountText: "¥59.00",
      canPay: true,
      notice: "你取消了支付，订单仍待支付。",
    });
    expect(result.exists(".pay-again")).toBe(true);
    expect((await simOrdersOfUser()).map((o) => o.tradeState)).toEqual(["NOTPAY"]);

    wx.sim.setPaymentAction("ok");
    await result.call("onPayAgain");
    expect(result.history("paying")).toEqual([true, false]);
    expect(result.data).toMatchObject({ status: "PAID", statusText: "支付成功", canPay: false, notice: "" });
    const sim = await simOrdersOfUser();
    expect(sim.filter((o) => o.tradeState === "SUCCESS")).toHaveLength(1);
  });

  test("a failed payment leaves the order payable, with its own sentence", async () => {
    wx.sim.setPaymentAction("fail");
    const order = await openPage<TOrderData>(builtDir, "order", { sku: "TEST-1FEN", qty: "1" });
    order.tap(".pay");
    await until(() => nav.length > 0);
    const result = await openPage<TResultData>(builtDir, "result", queryOf(nav[0]?.url ?? ""));
    expect(result.data).toMatchObject({
      status: "PENDING",
      canPay: true,
      notice: "支付没有完成，可以重新支付。",
    });
  });

  test("a product no longer sold: the order page says so and offers no pay button", async () => {
    const order = await openPage<TOrderData>(builtDir, "order", { sku: "NO-SUCH-SKU", qty: "1" });
    expect(order.data).toMatchObject({ step: "unavailable", error: "商品已下架，请返回重新选择" });
    expect(order.exists(".pay")).toBe(false);
  });

  test("someone else's order id: the result page shows the not-found sentence, never the order", async () => {
    const own = await mp.getShop().createOrder([{ sku: "TEA-PUER", qty: 1 }]);
    const stranger = createWx({
      simUrl: control.url,
      appId: MINI_APPID,
      userId: (await control.createUser()).userId,
    });
    mp.configureShop({ apiBaseUrl: inject("shopUrl"), wx: stranger });
    const result = await openPage<TResultData>(builtDir, "result", { orderId: own.orderId, hint: "ok" });
    expect(result.data).toMatchObject({ checking: false, status: "", error: "没有找到这笔订单" });
  });
});
