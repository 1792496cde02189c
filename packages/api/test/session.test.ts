// The H5 session over real HTTP: it carries issued-at and expiry, is renewed by use, and lapses when abandoned.
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { Harness } from "./harness";
import { Shopper, startHarness } from "./harness";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ label: "api_session" });
});
afterAll(async () => {
  await h.close();
});

const DAY = 24 * 3600 * 1000;
const payloadOf = (cookie: string | undefined) =>
  JSON.parse(Buffer.from((cookie ?? "").split(".")[0] ?? "", "base64url").toString()) as {
    iat: number;
    exp: number;
  };

describe("the H5 session", () => {
  it("a shopper who comes back after two days gets the session renewed and keeps the orders", async () => {
    const s = new Shopper(h.url);
    const created = await s.mutate<{ orderId: string }>("createOrder", {
      items: [{ sku: "TEST-1FEN", qty: 1 }],
    });
    const first = payloadOf(s.cookie);
    expect(first.exp - first.iat).toBe(30 * DAY);

    await h.advance(2 * DAY);
    const mine = await s.query<{ orderId: string }[]>("myOrders");
    expect(mine.data?.map((o) => o.orderId)).toEqual([created.data?.orderId]);
    const renewed = payloadOf(s.cookie);
    expect(renewed.iat).toBeGreaterThan(first.iat + DAY);
    expect(renewed.exp).toBe(renewed.iat + 30 * DAY);
  });

  it("a session not used for 30 days is gone: its orders are no longer this browser's", async () => {
    const s = new Shopper(h.url);
    await s.mutate("createOrder", { items: [{ sku: "TEST-1FEN", qty: 1 }] });
    await h.advance(31 * DAY);
    const mine = await s.query<unknown[]>("myOrders");
    expect(mine.data).toEqual([]);
  });
});
