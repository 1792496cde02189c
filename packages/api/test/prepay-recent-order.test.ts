// prepay right after createOrder in the same process does not read the order again: it uses what createOrder wrote
// (owner, items, amount, expiry). These cases pin what that must not change — an order paid, closed or expired since it
// was created is never handed out to pay, another shopper still gets NOT_FOUND, and an instance that did not create the
// order reads it — each leaving no attempt behind where it refuses.
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { TPrepayInput } from "@wxpay/core";
import { CoreError, createOrder, newAnonymousSession, prepay } from "@wxpay/core";
import { paymentAttempts } from "@wxpay/db";

import type { Harness } from "./harness";
import { startHarness } from "./harness";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ label: "api_prepay_recent_order" });
});
afterAll(async () => {
  await h.close();
});

/** A new shopper's order, created by the harness's deps (so remembered in this process), and the prepay input for it. */
async function freshOrder(): Promise<TPrepayInput> {
  const { session } = newAnonymousSession(h.deps.config.sessionSecret, h.deps.now());
  const { orderId } = await createOrder(h.deps, {
    customerId: session.customerId,
    items: [{ sku: "TEA-LONGJING", qty: 2 }],
  });
  return { session, orderId, channel: "h5", clientIp: "127.0.0.1" };
}

const attemptsOf = (orderId: string) =>
  h.deps.db.select().from(paymentAttempts).where(eq(paymentAttempts.orderId, orderId));

async function refusal(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof CoreError)) throw new Error(`expected a CoreError, got ${String(err)}`);
  return err.code;
}

describe("prepay of an order this process has just created", () => {
  it("sends the order's own amount and title, as a read would", async () => {
    const input = await freshOrder();
    const r = await prepay(h.deps, input);
    expect(r.channel).toBe("h5");
    const [attempt] = await attemptsOf(input.orderId);
    expect(attempt).toMatchObject({ status: "PREPAID", amountFen: 2 * 12800 });
    expect(attempt?.requestXml).toContain("西湖龙井");
    expect(attempt?.requestXml).toMatch(/<total_fee>(<!\[CDATA\[)?25600</);
  });

  it.each([
    ["PAID", "ORDER_PAID"],
    ["CLOSED", "ORDER_CLOSED"],
  ] as const)("refuses an order %s since it was created, and writes no attempt", async (status, code) => {
    const input = await freshOrder();
    await h.deps.db.execute(
      sql`update orders set status = ${status}::order_status where id = ${input.orderId}`,
    );
    expect(await refusal(prepay(h.deps, input))).toBe(code);
    expect(await attemptsOf(input.orderId)).toHaveLength(0);
  });

  it("refuses an order past its expiry, and writes no attempt", async () => {
    const input = await freshOrder();
    await h.advance(h.deps.config.orderTtlMs + 1000);
    expect(await refusal(prepay(h.deps, input))).toBe("ORDER_CLOSED");
    expect(await attemptsOf(input.orderId)).toHaveLength(0);
  });

  it("is NOT_FOUND for another shopper, as for an order it never saw", async () => {
    const input = await freshOrder();
    const other = newAnonymousSession(h.deps.config.sessionSecret, h.deps.now()).session;
    expect(await refusal(prepay(h.deps, { ...input, session: other }))).toBe("NOT_FOUND");
    expect(await attemptsOf(input.orderId)).toHaveLength(0);
  });

  it("reads an order this process did not create (another instance's, or from before a restart)", async () => {
    /** An order written straight to the database, as another instance's createOrder would have. */
    const elsewhere = async (status: "PENDING" | "PAID"): Promise<TPrepayInput> => {
      const { session } = newAnonymousSession(h.deps.config.sessionSecret, h.deps.now());
      const orderId = `o_elsewhere${String(Math.random()).slice(2, 12)}`;
      await h.deps.db.execute(sql`insert into customers (id) values (${session.customerId})`);
      await h.deps.db.execute(sql`
        insert into orders (id, customer_id, items, amount_fen, status, expires_at)
        values (${orderId}, ${session.customerId},
                '[{"sku":"TEA-LONGJING","title":"西湖龙井 50g","qty":1,"priceFen":12800}]'::jsonb, 12800,
                ${status}::order_status, ${new Date(h.deps.now().getTime() + 30 * 60_000).toISOString()}::timestamptz)`);
      return { session, orderId, channel: "h5", clientIp: "127.0.0.1" };
    };
    const pending = await elsewhere("PENDING");
    expect((await prepay(h.deps, pending)).channel).toBe("h5");
    expect(await attemptsOf(pending.orderId)).toHaveLength(1);
    const paid = await elsewhere("PAID");
    expect(await refusal(prepay(h.deps, paid))).toBe("ORDER_PAID");
    expect(await attemptsOf(paid.orderId)).toHaveLength(0);
    // Another shopper's remembered order is not theirs either way.
    const { session: stranger } = newAnonymousSession(h.deps.config.sessionSecret, h.deps.now());
    expect(await refusal(prepay(h.deps, { ...pending, session: stranger }))).toBe("NOT_FOUND");
  });
});
