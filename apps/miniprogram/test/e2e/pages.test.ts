// @vitest-environment jsdom
// The three built pages, one after the other as a shopper goes through them, against the web app's production
// build and the simulator, with the shop on WeChat Pay API v2 and on v3.
import { expect, inject, test } from "vitest";

import { createSimControl } from "@wxpay/wechat-sim/control-client";
import { createWx } from "@wxpay/wechat-sim/wx-shim";

import { MINI_APPID } from "../helpers/constants";
import { loadShared } from "../helpers/load-built";
import { openPage, recordNavigation, until } from "../helpers/pages";
import type { TApiVersion } from "./servers.global";

const builtDir = inject("builtDir");
const shopUrls = inject("shopUrls");
const control = createSimControl(inject("simUrl"));

test.each(Object.keys(shopUrls) as TApiVersion[])(
  "API %s: 商品列表 → 确认订单 → 支付结果: the shopper buys the 1-fen test product and sees 支付成功",
  async (v) => {
    const nav = recordNavigation();
    const userId = (await control.createUser()).userId;
    const mp = loadShared(builtDir);
    mp.configureShop({
      apiBaseUrl: shopUrls[v] ?? "",
      wx: createWx({ simUrl: control.url, appId: MINI_APPID, userId }),
      confirm: { attempts: 20, intervalMs: 250 },
    });

    const index = await openPage<{ products: { sku: string }[] }>(builtDir, "index", {});
    const position = index.data.products.findIndex((p) => p.sku === "TEST-1FEN");
    expect(position).toBeGreaterThanOrEqual(0);
    await index.call("onBuy", { currentTarget: { dataset: { sku: "TEST-1FEN" } } });
    expect(nav.at(-1)).toEqual({ api: "navigateTo", url: "/pages/order/index?sku=TEST-1FEN&qty=1" });

    const order = await openPage<{ step: string; totalText: string }>(builtDir, "order", {
      sku: "TEST-1FEN",
      qty: "1",
    });
    expect(order.data).toMatchObject({ step: "ready", totalText: "¥0.01" });
    order.tap(".pay");
    await until(() => nav.length === 2, 20_000);
    expect(order.history("step")).toEqual(["loading", "ready", "creating", "paying", "leaving"]);

    const query = Object.fromEntries(new URL(nav[1]?.url ?? "", "https://page.invalid").searchParams);
    expect(query.hint).toBe("ok");
    const result = await openPage<{
      status: string;
      statusText: string;
      amountText: string;
      canPay: boolean;
    }>(builtDir, "result", query);
    expect(result.data).toMatchObject({
      status: "PAID",
      statusText: "支付成功",
      amountText: "¥0.01",
      canPay: false,
    });
    expect(result.text(".status")).toBe("支付成功");
  },
);
