// Each procedure over real HTTP against the simulator, with the wire shapes of DESIGN.md.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { orders, paymentAttempts } from "@wxpay/db";
import { verifyPaySign } from "@wxpay/wechatpay";

import type { Harness } from "./harness";
import { eventually, Shopper, startHarness } from "./harness";

type TOrder = { orderId: string; status: string; amountFen: number; paidAt?: string };

let h: Harness;
let loseNextUnifiedOrderReply = false;
const upstream: string[] = [];

beforeAll(async () => {
  h = await startHarness({
    label: "api_procedures",
    // A fault on the wire, not a stand-in: the request reaches the simulator, its reply is lost on the way back.
    wrapFetch: (inner) => async (input, init) => {
      const url = String(input instanceof Request ? input.url : input);
      upstream.push(new URL(url).pathname);
      const res = await inner(input, init);
      if (loseNextUnifiedOrderReply && url.endsWith("/pay/unifiedorder")) {
        loseNextUnifiedOrderReply = false;
        throw new TypeError("fetch failed: connection reset");
      }
      return res;
    },
  });
});
afterAll(async () => {
  await h.close();
});

async function newOrder(shopper: Shopper, items = [{ sku: "TEA-LONGJING", qty: 2 }]): Promise<string> {
  const r = await shopper.mutate<TOrder>("createOrder", { items });
  expect(r.status).toBe(200);
  return r.data?.orderId ?? "";
}

describe("createOrder", () => {
  it("computes the amount from the catalog in fen and opens an anonymous session", async () => {
    const s = new Shopper(h.url);
    const r = await s.mutate<TOrder & { expiresAt: string }>("createOrder", {
      items: [
        { sku: "TEA-LONGJING", qty: 2 },
        { sku: "CUP-CELADON", qty: 1 },
      ],
    });
    expect(r.status).toBe(200);
    expect(r.data).toMatchObject({ amountFen: 2 * 12800 + 5900, status: "PENDING" });
    expect(r.data?.orderId).toMatch(/^o_[0-9A-Za-z]{22}$/);
    expect(new Date(r.data?.expiresAt ?? "").getTime()).toBeGreaterThan(Date.now());
    expect(s.cookie).toBeTruthy();
  });

  it("rejects a client-supplied price, amount or openid by schema, and unknown SKUs", async () => {
    const s = new Shopper(h.url);
    for (const input of [
      { items: [{ sku: "TEA-LONGJING", qty: 1, priceFen: 1 }] },
      { items: [{ sku: "TEA-LONGJING", qty: 1 }], amountFen: 1 },
      { items: [{ sku: "TEA-LONGJING", qty: 1 }], openid: "oAttacker" },
    ]) {
      const r = await s.mutate("createOrder", input);
      expect(r.status).toBe(400);
      expect(r.error?.data.appCode).toBe("BAD_INPUT");
    }
    const unknown = await s.mutate("createOrder", { items: [{ sku: "NOPE", qty: 1 }] });
    expect(unknown.error?.data).toMatchObject({ code: "BAD_REQUEST", appCode: "UNKNOWN_SKU" });
    expect(await h.deps.db.select().from(orders).where(eq(orders.amountFen, 1))).toEqual([]);
  });

  it("refuses cross-site form posts: a non-JSON body or a foreign Origin", async () => {
    const s = new Shopper(h.url);
    const form = await fetch(`${h.url}/api/trpc/createOrder`, {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: JSON.stringify({ items: [{ sku: "TEA-LONGJING", qty: 1 }] }),
    });
    expect(form.status).toBe(415);
    const foreign = await s.mutate(
      "createOrder",
      { items: [{ sku: "TEA-LONGJING", qty: 1 }] },
      { origin: "https://evil.example" },
    );
    expect(foreign.status).toBe(403);
  });
});

describe("prepay", () => {
  it("h5: an MWEB attempt with scene_info and the shopper's IP, mweb_url with redirect_url back to the result page", async () => {
    const s = new Shopper(h.url);
    const orderId = await newOrder(s);
    const r = await s.mutate<{ channel: string; mwebUrl: string }>("prepay", { orderId, channel: "h5" });
    expect(r.status).toBe(200);
    const mweb = new URL(r.data?.mwebUrl ?? "");
    expect(mweb.origin).toBe(h.sim.publicUrl);
    expect(mweb.searchParams.get("redirect_url")).toBe(`${h.url}/orders/${orderId}/result`);
    const [attempt] = await h.deps.db
      .select()
      .from(paymentAttempts)
      .where(eq(paymentAttempts.orderId, orderId));
    expect(attempt).toMatchObject({
      channel: "h5",
      tradeType: "MWEB",
      status: "PREPAID",
      clientIp: "127.0.0.1",
    });
    expect(attempt?.requestXml).toContain("<scene_info>");
    // Asked again within mweb_url's 5 minutes: the same attempt and URL, no new order at WeChat.
    const again = await s.mutate<{ mwebUrl: string }>("prepay", { orderId, channel: "h5" });
    expect(again.data?.mwebUrl).toBe(r.data?.mwebUrl);
    expect(
      await h.deps.db.select().from(paymentAttempts).where(eq(paymentAttempts.orderId, orderId)),
    ).toHaveLength(1);
  });

  it("jsapi needs the openid from OAuth, then returns bridge params whose paySign verifies", async () => {
    const s = new Shopper(h.url);
    const orderId = await newOrder(s);
    const before = await s.mutate("prepay", { orderId, channel: "jsapi" });
    expect(before.error?.data).toMatchObject({ code: "PRECONDITION_FAILED", appCode: "OAUTH_REQUIRED" });
    expect((await s.query<{ hasOpenid: boolean }>("session")).data).toEqual({ hasOpenid: false });
    await s.oauth(h, "alice");
    expect((await s.query<{ hasOpenid: boolean }>("session")).data).toEqual({ hasOpenid: true });
    const r = await s.mutate<{ channel: string; payParams: Record<string, string> }>("prepay", {
      orderId,
      channel: "jsapi",
    });
    expect(r.data?.channel).toBe("jsapi");
    const p = r.data?.payParams as Parameters<typeof verifyPaySign>[0];
    expect(p.appId).toBe(h.deps.config.officialAccount.appId);
    expect(p.package).toMatch(/^prepay_id=/);
    expect(verifyPaySign(p, [h.deps.config.key])).toBe(true);
  });

  it("OAuth: WeChat gets an alphanumeric state; a callback whose state is not this browser's nonce is refused", async () => {
    const s = new Shopper(h.url);
    const start = await fetch(`${h.url}/api/wechat/oauth/start?returnTo=/orders`, { redirect: "manual" });
    const state = new URL(start.headers.get("location") ?? "").searchParams.get("state") ?? "";
    expect(state).toMatch(/^[A-Za-z0-9]{1,128}$/);
    const { code } = await h.control.oauthCode({ appId: h.deps.config.officialAccount.appId, userId: "bob" });
    // Someone else's callback link (login CSRF) arrives without the nonce cookie: refused, no openid.
    const forged = await fetch(`${h.url}/api/wechat/oauth/callback?code=${code}&state=${state}`, {
      redirect: "manual",
    });
    expect(forged.status).not.toBe(302);
    expect(forged.headers.getSetCookie()).toEqual([]);
    expect((await s.query<{ hasOpenid: boolean }>("session")).data).toEqual({ hasOpenid: false });
  });

  it("mini: Bearer token from miniLogin, requestPayment params for the mini-program appid", async () => {
    const s = new Shopper(h.url);
    await s.miniLogin(h, "bob");
    const orderId = await newOrder(s);
    const r = await s.mutate<{ channel: string; payParams: Record<string, string> }>("prepay", {
      orderId,
      channel: "mini",
    });
    expect(r.data?.channel).toBe("mini");
    expect(Object.keys(r.data?.payParams ?? {}).sort()).toEqual([
      "nonceStr",
      "package",
      "paySign",
      "signType",
      "timeStamp",
    ]);
    const [attempt] = await h.deps.db
      .select()
      .from(paymentAttempts)
      .where(eq(paymentAttempts.orderId, orderId));
    expect(attempt?.appid).toBe(h.deps.config.miniProgram.appId);
    // An H5 session cannot ask for mini-program parameters, and a forged token is refused.
    const h5 = new Shopper(h.url);
    const other = await newOrder(h5);
    expect((await h5.mutate("prepay", { orderId: other, channel: "mini" })).error?.data.appCode).toBe(
      "LOGIN_REQUIRED",
    );
    const forged = new Shopper(h.url);
    forged.bearer = `${s.bearer?.slice(0, -2)}xx`;
    expect((await forged.query("orderStatus", { orderId })).status).toBe(401);
  });

  it("a unifiedorder reply lost after a timeout: the retry re-sends the same bytes and does not hit OUT_TRADE_NO_USED", async () => {
    const s = new Shopper(h.url);
    const orderId = await newOrder(s);
    loseNextUnifiedOrderReply = true;
    const first = await s.mutate("prepay", { orderId, channel: "h5" });
    expect(first.error?.data).toMatchObject({ code: "SERVICE_UNAVAILABLE", appCode: "WECHAT_BUSY" });
    const [pending] = await h.deps.db
      .select()
      .from(paymentAttempts)
      .where(eq(paymentAttempts.orderId, orderId));
    expect(pending?.status).toBe("CREATED");
    // WeChat did create the order: the simulator knows this out_trade_no.
    expect(await h.control.orders({ outTradeNo: pending?.outTradeNo })).toHaveLength(1);
    const retry = await s.mutate<{ mwebUrl: string }>("prepay", { orderId, channel: "h5" });
    expect(retry.status).toBe(200);
    const attempts = await h.deps.db
      .select()
      .from(paymentAttempts)
      .where(eq(paymentAttempts.orderId, orderId));
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({
      outTradeNo: pending?.outTradeNo,
      status: "PREPAID",
      requestXml: pending?.requestXml,
    });
  });
});

describe("orderStatus and the notify path", () => {
  it("a payment in the simulator reaches the order through the notify", async () => {
    const s = new Shopper(h.url);
    const orderId = await newOrder(s);
    await s.mutate("prepay", { orderId, channel: "h5" });
    const [attempt] = await h.deps.db
      .select()
      .from(paymentAttempts)
      .where(eq(paymentAttempts.orderId, orderId));
    await h.control.pay({ outTradeNo: attempt?.outTradeNo, userId: "alice" });
    const paid = await eventually(
      () => s.query<TOrder>("orderStatus", { orderId }),
      (r) => r.data?.status === "PAID",
    );
    expect(paid.data).toMatchObject({ orderId, status: "PAID", amountFen: 25600 });
    expect(paid.data?.paidAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    const mine = await s.query<TOrder[]>("myOrders");
    expect(mine.data?.find((o) => o.orderId === orderId)?.status).toBe("PAID");
  });

  it("a dropped notify: orderStatus asks orderquery and the order becomes PAID anyway", async () => {
    const s = new Shopper(h.url);
    const orderId = await newOrder(s);
    await s.mutate("prepay", { orderId, channel: "h5" });
    const [attempt] = await h.deps.db
      .select()
      .from(paymentAttempts)
      .where(eq(paymentAttempts.orderId, orderId));
    await h.control.setFault({ mchId: h.deps.config.mchId, outTradeNo: attempt?.outTradeNo }, { drop: true });
    await h.control.pay({ outTradeNo: attempt?.outTradeNo, userId: "alice" });
    const r = await eventually(
      () => s.query<TOrder>("orderStatus", { orderId }),
      (x) => x.data?.status === "PAID",
    );
    expect(r.data?.status).toBe("PAID");
    expect(h.notifyLog.some((n) => n.body.includes(attempt?.outTradeNo ?? "?"))).toBe(false);
  });

  it("another shopper's order is NOT_FOUND through every procedure", async () => {
    const owner = new Shopper(h.url);
    const orderId = await newOrder(owner);
    const stranger = new Shopper(h.url);
    await newOrder(stranger);
    expect((await stranger.query("orderStatus", { orderId })).error?.data).toMatchObject({
      code: "NOT_FOUND",
    });
    expect((await stranger.mutate("prepay", { orderId, channel: "h5" })).error?.data).toMatchObject({
      code: "NOT_FOUND",
    });
    expect((await stranger.query<TOrder[]>("myOrders")).data?.some((o) => o.orderId === orderId)).toBe(false);
    const anonymous = new Shopper(h.url);
    expect((await anonymous.query("orderStatus", { orderId })).error?.data).toMatchObject({
      code: "NOT_FOUND",
    });
    const mini = new Shopper(h.url);
    await mini.miniLogin(h, "alice");
    expect((await mini.query("orderStatus", { orderId })).error?.data).toMatchObject({ code: "NOT_FOUND" });
    expect(
      await h.deps.db.select().from(paymentAttempts).where(eq(paymentAttempts.orderId, orderId)),
    ).toEqual([]);
  });
});

describe("jsConfig", () => {
  it("signs only this shop's URLs", async () => {
    const s = new Shopper(h.url);
    const r = await s.query("jsConfig", { url: "https://evil.example/pay" });
    expect(r.error?.data).toMatchObject({ code: "BAD_REQUEST", appCode: "URL_NOT_ALLOWED" });
  });

  it("many concurrent cold calls cause one access_token fetch and one jsapi_ticket fetch", async () => {
    upstream.length = 0;
    const s = new Shopper(h.url);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        s.query<{ signature: string; appId: string }>("jsConfig", { url: `${h.url}/orders/x?i=${i}#frag` }),
      ),
    );
    for (const r of results) expect(r.data?.signature).toMatch(/^[0-9a-f]{40}$/);
    expect(upstream.filter((p) => p.endsWith("/cgi-bin/token"))).toHaveLength(1);
    expect(upstream.filter((p) => p.endsWith("/cgi-bin/ticket/getticket"))).toHaveLength(1);
  });
});
