// The notify endpoint under forged, wrong, duplicate and concurrent deliveries: each ends in its documented
// verdict and reply, and nothing else changes.
import { createHash } from "node:crypto";

import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { orderEvents, orders, paymentAttempts, paymentNotifications } from "@wxpay/db";
import { buildPayNotify, buildXml, parsePayNotify, replyXml } from "@wxpay/wechatpay";

import type { Harness } from "./harness";
import { Shopper, startHarness } from "./harness";

const SUCCESS = replyXml(true);

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ label: "api_notify", maxConnections: 30 });
});
afterAll(async () => {
  await h.close();
});

type TAttempt = { orderId: string; outTradeNo: string; amountFen: number; appid: string };

async function pendingAttempt(
  shopper = new Shopper(h.url),
  channel: "h5" | "jsapi" = "h5",
  orderId?: string,
): Promise<TAttempt> {
  if (!orderId) {
    const created = await shopper.mutate<{ orderId: string }>("createOrder", {
      items: [{ sku: "CUP-CELADON", qty: 1 }],
    });
    orderId = created.data?.orderId ?? "";
  }
  if (channel === "jsapi") await shopper.oauth(h, "alice");
  const r = await shopper.mutate("prepay", { orderId, channel });
  if (r.status !== 200) throw new Error(`prepay failed ${JSON.stringify(r.error)}`);
  const rows = await h.deps.db.select().from(paymentAttempts).where(eq(paymentAttempts.orderId, orderId));
  const a = rows.find((x) => x.channel === channel);
  if (!a) throw new Error("no attempt");
  return { orderId, outTradeNo: a.outTradeNo, amountFen: a.amountFen, appid: a.appid };
}

let txn = 4200000000000000000000000000n;
function paidFields(
  a: TAttempt,
  over: Record<string, string | number> = {},
): Record<string, string | number> {
  txn += 1n;
  return {
    return_code: "SUCCESS",
    result_code: "SUCCESS",
    appid: a.appid,
    mch_id: h.deps.config.mchId,
    nonce_str: "5K8264ILTKCH16CQ2502SI8ZNMTM67VS",
    openid: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
    is_subscribe: "N",
    trade_type: "MWEB",
    bank_type: "CMC",
    total_fee: a.amountFen,
    fee_type: "CNY",
    cash_fee: a.amountFen,
    transaction_id: txn.toString(),
    out_trade_no: a.outTradeNo,
    time_end: "20261127113000",
    ...over,
  };
}

const KEY = () => h.deps.config.key;

async function deliver(body: string): Promise<string> {
  const res = await fetch(`${h.url}/api/wechat/pay/notify`, {
    method: "POST",
    headers: { "content-type": "text/xml" },
    body,
  });
  expect(res.status).toBe(200);
  return res.text();
}

async function state(a: TAttempt) {
  const [order] = await h.deps.db.select().from(orders).where(eq(orders.id, a.orderId));
  const events = await h.deps.db.select().from(orderEvents).where(eq(orderEvents.orderId, a.orderId));
  const notes = await h.deps.db
    .select()
    .from(paymentNotifications)
    .where(eq(paymentNotifications.outTradeNo, a.outTradeNo));
  return {
    status: order?.status,
    events: events.map((e) => e.type).sort(),
    verdicts: notes.map((n) => n.verdict),
  };
}

async function lastVerdict(): Promise<string | undefined> {
  const [row] = await h.deps.db
    .select({ verdict: paymentNotifications.verdict })
    .from(paymentNotifications)
    .orderBy(sql`${paymentNotifications.id} desc`)
    .limit(1);
  return row?.verdict;
}

describe("a notify that does not verify is refused, recorded, and changes nothing", () => {
  it("forged: no sign, a made-up sign, another key", async () => {
    const a = await pendingAttempt();
    for (const body of [
      buildXml(paidFields(a)),
      buildXml({ ...paidFields(a), sign: "0".repeat(32) }),
      buildPayNotify(paidFields(a), "0123456789abcdef0123456789abcdef", "MD5"),
    ]) {
      expect(await deliver(body)).toBe(replyXml(false, "签名失败"));
      expect(await lastVerdict()).toBe("BAD_SIGN");
    }
    expect((await state(a)).status).toBe("PENDING");
    expect((await state(a)).events).toEqual(["CREATED"]);
  });

  it("a sign type other than the pinned one", async () => {
    const a = await pendingAttempt();
    const reply = await deliver(buildPayNotify(paidFields(a), KEY(), "HMAC-SHA256"));
    expect(reply).not.toBe(SUCCESS);
    expect(await lastVerdict()).toBe("WRONG_SIGN_TYPE");
    expect((await state(a)).status).toBe("PENDING");
  });

  it("an appid this shop does not use, and another merchant", async () => {
    const a = await pendingAttempt();
    expect(
      await deliver(buildPayNotify(paidFields(a, { appid: "wx0000000000000000" }), KEY(), "MD5")),
    ).not.toBe(SUCCESS);
    expect(await lastVerdict()).toBe("WRONG_APPID");
    expect(await deliver(buildPayNotify(paidFields(a, { mch_id: "1900000109" }), KEY(), "MD5"))).not.toBe(
      SUCCESS,
    );
    expect(await lastVerdict()).toBe("WRONG_MCH_ID");
    // The mini-program's appid is configured, but this attempt was made under the official account's.
    expect(
      await deliver(buildPayNotify(paidFields(a, { appid: h.deps.config.miniProgram.appId }), KEY(), "MD5")),
    ).not.toBe(SUCCESS);
    expect(await lastVerdict()).toBe("WRONG_APPID");
    expect((await state(a)).status).toBe("PENDING");
  });

  it("hostile XML: an entity declaration and an oversized body", async () => {
    const xxe = `<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]><xml><a>&x;</a></xml>`;
    expect(await deliver(xxe)).not.toBe(SUCCESS);
    expect(await lastVerdict()).toBe("BAD_XML");
    expect(await deliver(`<xml><a><![CDATA[${"x".repeat(70_000)}]]></a></xml>`)).not.toBe(SUCCESS);
  });
});

describe("what a delivery leaves behind", () => {
  it("an unsigned or forged body is kept as its digest and size only; a signed one in full", async () => {
    const a = await pendingAttempt();
    const forged = buildXml({ ...paidFields(a), sign: "0".repeat(32), junk: "x".repeat(5000) });
    await deliver(forged);
    await deliver("not xml at all");
    const rows = await h.deps.db
      .select()
      .from(paymentNotifications)
      .orderBy(sql`${paymentNotifications.id} desc`)
      .limit(2);
    expect(rows.map((r) => r.verdict)).toEqual(["BAD_XML", "BAD_SIGN"]);
    expect(rows.map((r) => r.rawXml)).toEqual([null, null]);
    expect(rows[1]?.bodyBytes).toBe(Buffer.byteLength(forged));
    expect(rows[1]?.bodySha256).toBe(createHash("sha256").update(forged).digest("hex"));

    const genuine = buildPayNotify(paidFields(a), KEY(), "MD5");
    expect(await deliver(genuine)).toBe(SUCCESS);
    const [stored] = await h.deps.db
      .select()
      .from(paymentNotifications)
      .orderBy(sql`${paymentNotifications.id} desc`)
      .limit(1);
    expect(stored).toMatchObject({
      verdict: "APPLIED",
      rawXml: genuine,
      bodyBytes: Buffer.byteLength(genuine),
    });
  });
});

describe("a verified notify that does not match the order", () => {
  it("amount mismatch: FAIL, recorded as a notify and on the order's record, order status untouched", async () => {
    const a = await pendingAttempt();
    const reply = await deliver(
      buildPayNotify(paidFields(a, { total_fee: a.amountFen - 1, cash_fee: a.amountFen - 1 }), KEY(), "MD5"),
    );
    expect(reply).toBe(replyXml(false, "金额不符"));
    expect(await state(a)).toMatchObject({
      status: "PENDING",
      events: ["AMOUNT_MISMATCH", "CREATED"],
      verdicts: ["AMOUNT_MISMATCH"],
    });
  });

  it("unknown out_trade_no: FAIL, recorded, no order created", async () => {
    const before = await h.deps.db.select({ n: sql<number>`count(*)::int` }).from(orders);
    const ghost: TAttempt = {
      orderId: "o_none",
      outTradeNo: "20261127ghost000000000000000000",
      amountFen: 100,
      appid: h.deps.config.officialAccount.appId,
    };
    expect(await deliver(buildPayNotify(paidFields(ghost), KEY(), "MD5"))).toBe(
      replyXml(false, "订单不存在"),
    );
    expect(await lastVerdict()).toBe("UNKNOWN_ORDER");
    const after = await h.deps.db.select({ n: sql<number>`count(*)::int` }).from(orders);
    expect(after[0]?.n).toBe(before[0]?.n);
  });

  it("a signed result_code=FAIL notify is acknowledged and changes nothing", async () => {
    const a = await pendingAttempt();
    const f = paidFields(a, { result_code: "FAIL", err_code: "NOTENOUGH", err_code_des: "余额不足" });
    expect(await deliver(buildPayNotify(f, KEY(), "MD5"))).toBe(SUCCESS);
    expect(await state(a)).toMatchObject({ status: "PENDING", verdicts: ["NOT_SUCCESS"] });
  });
});

describe("a genuine notify", () => {
  it("pays the order once; a duplicate is answered SUCCESS from the recorded state and changes nothing", async () => {
    const a = await pendingAttempt();
    const fields = paidFields(a);
    const body = buildPayNotify(fields, KEY(), "MD5");
    expect(await deliver(body)).toBe(SUCCESS);
    expect(await deliver(body)).toBe(SUCCESS);
    expect(await state(a)).toMatchObject({
      status: "PAID",
      events: ["CREATED", "PAID"],
      verdicts: ["APPLIED", "DUPLICATE"],
    });
    const [order] = await h.deps.db.select().from(orders).where(eq(orders.id, a.orderId));
    // 28 digits, kept as the exact string WeChat sent.
    expect(order?.transactionId).toBe(String(fields.transaction_id));
  });

  it("editing any field of a signed body breaks the signature", async () => {
    const a = await pendingAttempt();
    const body = buildPayNotify(paidFields(a), KEY(), "MD5").replace(
      `<total_fee>${a.amountFen}</total_fee>`,
      "<total_fee>1</total_fee>",
    );
    expect(await deliver(body)).not.toBe(SUCCESS);
    expect(await lastVerdict()).toBe("BAD_SIGN");
  });

  it("money for an order already CLOSED becomes PAID_NEEDS_REVIEW, acknowledged, never dropped", async () => {
    const a = await pendingAttempt();
    await h.deps.db
      .update(orders)
      .set({ status: "CLOSED", closedAt: new Date() })
      .where(eq(orders.id, a.orderId));
    expect(await deliver(buildPayNotify(paidFields(a), KEY(), "MD5"))).toBe(SUCCESS);
    expect(await state(a)).toMatchObject({
      status: "PAID_NEEDS_REVIEW",
      events: ["CREATED", "PAID_NEEDS_REVIEW"],
      verdicts: ["PAID_NEEDS_REVIEW"],
    });
  });

  it("money for a second attempt of an order already paid by the first becomes PAID_NEEDS_REVIEW", async () => {
    const shopper = new Shopper(h.url);
    const first = await pendingAttempt(shopper, "h5");
    const second = await pendingAttempt(shopper, "jsapi", first.orderId);
    expect(second.outTradeNo).not.toBe(first.outTradeNo);
    expect(await deliver(buildPayNotify(paidFields(first), KEY(), "MD5"))).toBe(SUCCESS);
    const [superseded] = await h.deps.db
      .select()
      .from(paymentAttempts)
      .where(eq(paymentAttempts.outTradeNo, second.outTradeNo));
    expect(superseded?.status).toBe("SUPERSEDED");
    expect(await deliver(buildPayNotify(paidFields(second, { trade_type: "JSAPI" }), KEY(), "MD5"))).toBe(
      SUCCESS,
    );
    const s = await state(first);
    expect(s.status).toBe("PAID_NEEDS_REVIEW");
    expect(s.events).toEqual(["CREATED", "PAID", "PAID_NEEDS_REVIEW"]);
  });
});

describe("concurrent duplicate deliveries", () => {
  const ORDERS = 25;
  const COPIES = 16;

  /** Fires every copy of every body at once and waits for all. */
  async function storm<T>(bodies: string[], handler: (body: string) => Promise<T>): Promise<T[]> {
    const all = bodies.flatMap((b) => Array.from({ length: COPIES }, () => b));
    return Promise.all(all.map((b) => handler(b)));
  }

  it("exactly one transition and one PAID event per order, every reply SUCCESS", async () => {
    const attempts = await Promise.all(Array.from({ length: ORDERS }, () => pendingAttempt()));
    const bodies = attempts.map((a) => buildPayNotify(paidFields(a), KEY(), "MD5"));
    const replies = await storm(bodies, deliver);
    expect(replies.every((r) => r === SUCCESS)).toBe(true);
    for (const a of attempts) {
      const s = await state(a);
      expect(s.status).toBe("PAID");
      expect(s.events.filter((e) => e === "PAID")).toHaveLength(1);
      expect(s.verdicts.filter((v) => v === "APPLIED")).toHaveLength(1);
      expect(s.verdicts.filter((v) => v === "DUPLICATE")).toHaveLength(COPIES - 1);
    }
  });

  it("the same storm through a naive read-then-write handler double-fulfils: the harness really races", async () => {
    const attempts = await Promise.all(Array.from({ length: ORDERS }, () => pendingAttempt()));
    const bodies = attempts.map((a) => buildPayNotify(paidFields(a), KEY(), "MD5"));
    const config = {
      mchId: h.deps.config.mchId,
      appIds: [h.deps.config.officialAccount.appId],
      keys: [KEY()],
      signType: "MD5" as const,
    };
    // The anti-pattern: SELECT status, decide in JS, then UPDATE without a condition or a lock.
    const naive = async (body: string) => {
      const parsed = parsePayNotify(body, config);
      if (!parsed.ok) return;
      const n = parsed.notification;
      const [attempt] = await h.deps.db
        .select()
        .from(paymentAttempts)
        .where(eq(paymentAttempts.outTradeNo, n.outTradeNo));
      const [order] = await h.deps.db
        .select()
        .from(orders)
        .where(eq(orders.id, attempt?.orderId ?? ""));
      if (order?.status !== "PENDING") return;
      await h.deps.db.update(orders).set({ status: "PAID" }).where(eq(orders.id, order.id));
      await h.deps.db
        .insert(orderEvents)
        .values({ orderId: order.id, type: "NAIVE_FULFIL", source: "naive" });
    };
    await storm(bodies, naive);
    const rows = await h.deps.db
      .select({ orderId: orderEvents.orderId, n: sql<number>`count(*)::int` })
      .from(orderEvents)
      .where(eq(orderEvents.type, "NAIVE_FULFIL"))
      .groupBy(orderEvents.orderId);
    const doubled = rows.filter((r) => r.n > 1).length;
    expect(doubled).toBeGreaterThan(0);
  });
});
