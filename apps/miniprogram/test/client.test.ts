// The built shared runtime's API client over the simulator's wx.request shim, against the shop API (the real
// router and core on tRPC's fetch adapter): the wire format, the Bearer session and its renewal, errors.
import http from "node:http";

import { beforeEach, describe, expect, inject, test } from "vitest";

import { createSimControl } from "@wxpay/wechat-sim/control-client";
import { createWx } from "@wxpay/wechat-sim/wx-shim";

import type { TStoredToken, WxLike, WxRequestOptions } from "../src/shared/index";
import { MINI_APPID } from "./helpers/constants";
import { loadShared } from "./helpers/load-built";

const mp = loadShared(inject("builtDir"));
const shopUrl = inject("shopUrl");
const control = createSimControl(inject("simUrl"));

type TSent = { method: string; path: string; input: unknown; authorization?: string; contentType?: string };

/** The simulator's wx, with every wx.request it makes written down. */
function recordingWx(userId: string): { wx: WxLike; sent: TSent[] } {
  const inner = createWx({ simUrl: control.url, appId: MINI_APPID, userId });
  const sent: TSent[] = [];
  const wx: WxLike = {
    login: (o) => void inner.login(o),
    requestPayment: (o) => void inner.requestPayment(o),
    request(o: WxRequestOptions) {
      const url = new URL(o.url);
      const q = url.searchParams.get("input");
      sent.push({
        method: o.method ?? "GET",
        path: url.pathname,
        input:
          o.method === "POST"
            ? o.data === undefined
              ? undefined
              : JSON.parse(o.data)
            : q === null
              ? undefined
              : JSON.parse(q),
        ...(o.header?.authorization ? { authorization: o.header.authorization } : {}),
        ...(o.header?.["content-type"] ? { contentType: o.header["content-type"] } : {}),
      });
      return inner.request(o);
    },
  };
  return { wx, sent };
}

function memoryStore(initial?: TStoredToken) {
  let held = initial;
  return {
    load: () => held,
    save: (t: TStoredToken) => void (held = t),
    clear: () => void (held = undefined),
    peek: () => held,
  };
}

let userId: string;
beforeEach(async () => {
  userId = (await control.createUser()).userId;
});

describe("wire format", () => {
  test("a query is GET /api/trpc/<path>?input=<json>, a mutation a JSON POST; the server answers both", async () => {
    const { wx, sent } = recordingWx(userId);
    const shop = mp.createShop({ apiBaseUrl: shopUrl, wx });
    const order = await shop.createOrder([{ sku: "TEA-PUER", qty: 3 }]);
    const view = await shop.orderStatus(order.orderId);
    expect(view).toMatchObject({ orderId: order.orderId, status: "PENDING", amountFen: 3 * 26800 });

    expect(sent.map((s) => `${s.method} ${s.path}`)).toEqual([
      "POST /api/trpc/miniLogin",
      "POST /api/trpc/createOrder",
      "GET /api/trpc/orderStatus",
    ]);
    expect(sent[1]).toMatchObject({
      input: { items: [{ sku: "TEA-PUER", qty: 3 }] },
      contentType: "application/json",
    });
    expect(sent[2]).toMatchObject({ input: { orderId: order.orderId } });
    expect(sent[2]?.contentType).toBeUndefined();
  });

  test("procedureUrl builds the same URL as @trpc/client's http links (input URI-encoded JSON, none when undefined)", () => {
    expect(
      mp.procedureUrl("http://h/api/trpc/", {
        type: "query",
        path: "orderStatus",
        input: { orderId: "o_1 &" },
      }),
    ).toBe("http://h/api/trpc/orderStatus?input=%7B%22orderId%22%3A%22o_1%20%26%22%7D");
    expect(mp.procedureUrl("http://h/api/trpc", { type: "query", path: "products", input: undefined })).toBe(
      "http://h/api/trpc/products",
    );
    expect(
      mp.procedureUrl("http://h/api/trpc", { type: "mutation", path: "createOrder", input: { a: 1 } }),
    ).toBe("http://h/api/trpc/createOrder");
  });
});

describe("the Bearer session", () => {
  test("wx.login → miniLogin once, even for calls made together; every later call carries the token", async () => {
    const { wx, sent } = recordingWx(userId);
    const store = memoryStore();
    const shop = mp.createShop({ apiBaseUrl: shopUrl, wx, tokenStore: store });
    await Promise.all([
      shop.client.myOrders.query(),
      shop.client.myOrders.query(),
      shop.client.session.query(),
    ]);
    expect(shop.session.logins).toBe(1);
    const login = sent.filter((s) => s.path.endsWith("/miniLogin"));
    expect(login).toHaveLength(1);
    expect(login[0]?.authorization).toBeUndefined();
    const token = store.peek()?.token;
    expect(token).toBeTruthy();
    expect(sent.filter((s) => !s.path.endsWith("/miniLogin")).map((s) => s.authorization)).toEqual([
      `Bearer ${token}`,
      `Bearer ${token}`,
      `Bearer ${token}`,
    ]);
  });

  test("a token the server refuses (LOGIN_REQUIRED) is replaced by a new login and the call made again, once", async () => {
    const { wx, sent } = recordingWx(userId);
    const future = new Date(Date.now() + 3600_000).toISOString();
    const store = memoryStore({ token: "forged.token.value", expiresAt: future });
    const shop = mp.createShop({ apiBaseUrl: shopUrl, wx, tokenStore: store });
    const order = await shop.createOrder([{ sku: "CUP-CELADON", qty: 1 }]);
    expect(order.status).toBe("PENDING");
    expect(sent.map((s) => `${s.path.split("/").pop()} ${s.authorization ?? "-"}`)).toEqual([
      "createOrder Bearer forged.token.value",
      "miniLogin -",
      `createOrder Bearer ${store.peek()?.token}`,
    ]);
    // Only the repeated call created an order.
    expect(await shop.client.myOrders.query()).toHaveLength(1);
  });

  test("a token about to expire is renewed before the call instead of being sent", async () => {
    const { wx, sent } = recordingWx(userId);
    const first = mp.createShop({ apiBaseUrl: shopUrl, wx, tokenStore: memoryStore() });
    await first.client.session.query();
    const issued = sent.length;
    // Thirty seconds left: inside the one-minute margin.
    const store = memoryStore({ token: "old", expiresAt: new Date(Date.now() + 30_000).toISOString() });
    const shop = mp.createShop({ apiBaseUrl: shopUrl, wx, tokenStore: store });
    await shop.client.session.query();
    expect(
      sent
        .slice(issued)
        .map((s) => `${s.path.split("/").pop()} ${s.authorization === "Bearer old" ? "old" : "-"}`),
    ).toEqual(["miniLogin -", "session -"]);
    expect(store.peek()?.token).not.toBe("old");
  });

  test("the server's expiry is kept with the token", async () => {
    const { wx } = recordingWx(userId);
    const store = memoryStore();
    const shop = mp.createShop({ apiBaseUrl: shopUrl, wx, tokenStore: store });
    await shop.client.session.query();
    const expiresAt = Date.parse(store.peek()?.expiresAt ?? "");
    expect(expiresAt).toBeGreaterThan(Date.now() + 60_000);
  });
});

describe("errors", () => {
  test("API errors carry the appCode, and the pages' sentence for it", async () => {
    const { wx } = recordingWx(userId);
    const shop = mp.createShop({ apiBaseUrl: shopUrl, wx });
    const err = await shop.createOrder([{ sku: "NO-SUCH-SKU", qty: 1 }]).catch((e: unknown) => e);
    expect(mp.appCodeOf(err)).toBe("UNKNOWN_SKU");
    expect(mp.errorText(err)).toBe("商品已下架，请返回重新选择");
    expect((err as { data?: { code?: string } }).data?.code).toBe("BAD_REQUEST");
  });

  test("inputs are strict on the wire: a price sent by the client is refused (BAD_INPUT), never used", async () => {
    const shop = mp.createShop({ apiBaseUrl: shopUrl, wx: recordingWx(userId).wx });
    const input = { items: [{ sku: "TEA-PUER", qty: 1, priceFen: 1 }] } as unknown as Parameters<
      typeof shop.client.createOrder.mutate
    >[0];
    const err = await shop.client.createOrder.mutate(input).catch((e: unknown) => e);
    expect(mp.appCodeOf(err)).toBe("BAD_INPUT");
    expect(mp.errorText(err)).toBe("请求有误，请返回后重试");
    expect(await shop.client.myOrders.query()).toEqual([]);
  });

  test("another customer's order is NOT_FOUND, for status and for paying", async () => {
    const owner = mp.createShop({ apiBaseUrl: shopUrl, wx: recordingWx(userId).wx });
    const order = await owner.createOrder([{ sku: "TEA-PUER", qty: 1 }]);
    const stranger = mp.createShop({
      apiBaseUrl: shopUrl,
      wx: recordingWx((await control.createUser()).userId).wx,
    });
    expect(mp.appCodeOf(await stranger.orderStatus(order.orderId).catch((e: unknown) => e))).toBe(
      "NOT_FOUND",
    );
    expect(mp.appCodeOf(await stranger.pay(order.orderId).catch((e: unknown) => e))).toBe("NOT_FOUND");
  });

  test("paying an order that is already paid is ORDER_PAID", async () => {
    const shop = mp.createShop({ apiBaseUrl: shopUrl, wx: recordingWx(userId).wx });
    const order = await shop.createOrder([{ sku: "TEST-1FEN", qty: 1 }]);
    expect((await shop.pay(order.orderId)).hint).toBe("ok");
    expect((await shop.confirm(order.orderId, "ok")).status).toBe("PAID");
    const err = await shop.pay(order.orderId).catch((e: unknown) => e);
    expect(mp.appCodeOf(err)).toBe("ORDER_PAID");
  });

  test("no answer from the API (connection refused) is the network sentence", async () => {
    const shop = mp.createShop({ apiBaseUrl: "http://127.0.0.1:9", wx: recordingWx(userId).wx });
    const err = await shop.products().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(mp.errorText(err)).toBe("网络不太好，请检查网络后重试");
  });

  test("an answer that is not tRPC's (a proxy's HTML error page) is an error, never data", async () => {
    const proxy = http.createServer((_req, res) => {
      res.writeHead(502, { "content-type": "text/html" });
      res.end("<html><body>502 Bad Gateway</body></html>");
    });
    await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r));
    try {
      const port = (proxy.address() as { port: number }).port;
      const shop = mp.createShop({ apiBaseUrl: `http://127.0.0.1:${port}`, wx: recordingWx(userId).wx });
      const err = await shop.products().catch((e: unknown) => e);
      expect((err as Error).message).toBe("HTTP 502: not a tRPC answer");
      expect(mp.errorText(err)).toBe("网络不太好，请检查网络后重试");
    } finally {
      proxy.close();
    }
  });
});
