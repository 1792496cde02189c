// Abuse limits over real HTTP on a real database: per-IP and per-customer request limits (a fixed one-minute
// window counted in Postgres) and the cap on a customer's unpaid orders.
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { Harness, TrpcReply } from "./harness";
import { Shopper, startHarness } from "./harness";

let h: Harness;
const PER_IP = 5;
const PER_CUSTOMER = 5;
const OPEN_ORDERS = 3;

beforeAll(async () => {
  h = await startHarness({
    label: "api_limits",
    config: {
      rateLimits: { perIpPerMinute: PER_IP, perCustomerPerMinute: PER_CUSTOMER },
      maxOpenOrdersPerCustomer: OPEN_ORDERS,
    },
  });
});
afterAll(async () => {
  await h.close();
});

let nextIp = 1;
/** A fresh client address for each scenario (the shop reads the right-most X-Forwarded-For entry). */
const freshIp = () => `203.0.113.${nextIp++}`;

/** Waits until at least `seconds` are left in the current one-minute window, so a burst stays inside it. */
async function awayFromWindowEdge(seconds = 8): Promise<void> {
  const left = 60_000 - ((Date.now() + 0) % 60_000);
  if (left < seconds * 1000) await new Promise((r) => setTimeout(r, left + 200));
}

const createOrder = (s: Shopper, ip: string) =>
  s.mutate<{ orderId: string }>(
    "createOrder",
    { items: [{ sku: "TEST-1FEN", qty: 1 }] },
    { "x-forwarded-for": ip },
  );

function expectTooMany(r: TrpcReply<unknown>) {
  expect(r.status).toBe(429);
  expect(r.error?.data.code).toBe("TOO_MANY_REQUESTS");
  expect(r.error?.data.appCode).toBe("TOO_MANY_REQUESTS");
  // A sentence a shopper can act on: how long to wait.
  expect(r.error?.message).toMatch(/^操作太频繁了，请 \d+ 秒后再试$/);
}

describe("rate limits", () => {
  it("a concurrent burst of createOrder from one IP: exactly the limit pass, the rest get TOO_MANY_REQUESTS", async () => {
    await awayFromWindowEdge();
    const ip = freshIp();
    const replies = await Promise.all(Array.from({ length: 20 }, () => createOrder(new Shopper(h.url), ip)));
    expect(replies.filter((r) => r.status === 200)).toHaveLength(PER_IP);
    for (const r of replies.filter((x) => x.status !== 200)) expectTooMany(r);
    // Another address is not affected.
    expect((await createOrder(new Shopper(h.url), freshIp())).status).toBe(200);
  });

  it("one customer polling orderStatus from ever-new addresses is limited too (4× the allowance for polling)", async () => {
    await awayFromWindowEdge();
    const s = new Shopper(h.url);
    const created = await createOrder(s, freshIp());
    const orderId = created.data?.orderId ?? "";
    const statuses: number[] = [];
    for (let i = 0; i < PER_CUSTOMER * 4 + 2; i++) {
      const res = await fetch(
        `${h.url}/api/trpc/orderStatus?input=${encodeURIComponent(JSON.stringify({ orderId }))}`,
        { headers: { cookie: `wxpay_session=${s.cookie}`, "x-forwarded-for": freshIp() } },
      );
      statuses.push(res.status);
    }
    expect(statuses.filter((x) => x === 200)).toHaveLength(PER_CUSTOMER * 4);
    expect(statuses.slice(-2)).toEqual([429, 429]);
  });

  it("miniLogin and the OAuth start are limited per IP", async () => {
    await awayFromWindowEdge();
    const ip = freshIp();
    const logins: TrpcReply<unknown>[] = [];
    for (let i = 0; i <= PER_IP; i++) {
      const { code } = await h.control.loginCode({ appId: h.deps.config.miniProgram.appId, userId: "alice" });
      logins.push(await new Shopper(h.url).mutate("miniLogin", { code }, { "x-forwarded-for": ip }));
    }
    expect(logins.slice(0, PER_IP).map((r) => r.status)).toEqual(Array(PER_IP).fill(200));
    expectTooMany(logins[PER_IP] as TrpcReply<unknown>);

    const other = freshIp();
    const starts: number[] = [];
    for (let i = 0; i <= PER_IP; i++) {
      const res = await fetch(`${h.url}/api/wechat/oauth/start?returnTo=/`, {
        headers: { "x-forwarded-for": other },
        redirect: "manual",
      });
      starts.push(res.status);
    }
    expect(starts).toEqual([...Array(PER_IP).fill(302), 429]);
  });
});

describe("open orders per customer", () => {
  it(`a customer with ${OPEN_ORDERS} unpaid orders must pay or wait before placing another`, async () => {
    const s = new Shopper(h.url);
    for (let i = 0; i < OPEN_ORDERS; i++) expect((await createOrder(s, freshIp())).status).toBe(200);
    const refused = await createOrder(s, freshIp());
    expect(refused.status).toBe(409);
    expect(refused.error?.data.appCode).toBe("TOO_MANY_OPEN_ORDERS");
    expect(refused.error?.message).toContain("未支付的订单");
    // Another shopper is not affected.
    expect((await createOrder(new Shopper(h.url), freshIp())).status).toBe(200);
    // Once the unpaid orders have expired (30 minutes), the customer may order again.
    await h.advance(31 * 60_000);
    expect((await createOrder(s, freshIp())).status).toBe(200);
  });

  it("concurrent orders of one customer never exceed the cap", async () => {
    const s = new Shopper(h.url);
    expect((await createOrder(s, freshIp())).status).toBe(200);
    const replies = await Promise.all(Array.from({ length: 6 }, () => createOrder(s, freshIp())));
    expect(replies.filter((r) => r.status === 200)).toHaveLength(OPEN_ORDERS - 1);
  });
});
