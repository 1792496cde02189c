// API v3 notifies at POST /api/wechat/v3/pay/notify, built here as WeChat builds them (the sandbox WeChat Pay public
// key's private half signs, the APIv3 key seals the resource). Hostile ones are refused with nothing applied; a genuine
// one applies once however often and however concurrently it comes. And the switch-over: orders started on v2, the
// shop restarted on v3 (new deps, same database) — the v2 attempts still settle over v2, exactly once.
import { createHash } from "node:crypto";
import fs from "node:fs";

import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { listNotifications, reconcilePass, syncAttempt } from "@wxpay/core";
import { sandboxV3Credentials } from "@wxpay/core/testing";
import { orderEvents, orders, paymentAttempts, paymentNotifications } from "@wxpay/db";
import {
  AUTH_SCHEME,
  buildResponseMessageBytes,
  encryptAeadAesGcm,
  SIGNATURE_PROBE_PREFIX,
  signSha256WithRsa,
} from "@wxpay/wechatpay/v3";

import type { Harness } from "./harness";
import { eventually, newTransactionId, Shopper, startHarness } from "./harness";

const sandbox = (name: string) =>
  fs.readFileSync(new URL(`../../../apps/wechat-sim/sandbox/${name}`, import.meta.url), "utf8");
const WECHATPAY_KEY = sandbox("pub_key_private.pem");
const MERCHANT_KEY = sandbox("apiclient_key.pem");
const PUB_KEY_ID = "PUB_KEY_ID_0112300001092026112900000000000001";
const APIV3_KEY = sandboxV3Credentials().apiV3Key;

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ label: "api_v3_notify", config: { apiVersion: "v3" } });
});
afterAll(async () => {
  await h.close();
});

type TAttempt = { outTradeNo: string; amountFen: number; appid: string; orderId: string };

async function v3Attempt(): Promise<TAttempt> {
  const shopper = new Shopper(h.url);
  const r = await shopper.mutate<{ orderId: string }>("createOrder", {
    items: [{ sku: "CUP-CELADON", qty: 1 }],
  });
  const orderId = r.data?.orderId ?? "";
  await shopper.mutate("prepay", { orderId, channel: "native" });
  const [a] = await h.deps.db.select().from(paymentAttempts).where(eq(paymentAttempts.orderId, orderId));
  if (!a) throw new Error("no attempt");
  return { outTradeNo: a.outTradeNo, amountFen: a.amountFen, appid: a.appid, orderId };
}

function transaction(a: TAttempt, over: Record<string, unknown> = {}) {
  return {
    appid: a.appid,
    mchid: h.deps.config.mchId,
    out_trade_no: a.outTradeNo,
    transaction_id: newTransactionId(),
    trade_type: "NATIVE",
    trade_state: "SUCCESS",
    trade_state_desc: "支付成功",
    bank_type: "OTHERS",
    success_time: "2026-11-29T18:00:00+08:00",
    payer: { openid: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o" },
    amount: { total: a.amountFen, payer_total: a.amountFen, currency: "CNY", payer_currency: "CNY" },
    ...over,
  };
}

type TNotify = { headers: Record<string, string>; body: string };

function seal(resource: unknown, opts: { key?: string; flip?: "ciphertext" | "tag" } = {}): string {
  const nonce = "k3Jd9sLq0PzX";
  let ciphertext = encryptAeadAesGcm({
    key: opts.key ?? APIV3_KEY,
    nonce,
    associatedData: "transaction",
    plaintext: JSON.stringify(resource),
  });
  if (opts.flip) {
    const bytes = Buffer.from(ciphertext, "base64");
    const at = opts.flip === "tag" ? bytes.length - 1 : 0;
    bytes[at] = (bytes[at] ?? 0) ^ 0x01;
    ciphertext = bytes.toString("base64");
  }
  return JSON.stringify({
    id: crypto.randomUUID(),
    create_time: "2026-11-29T18:00:01+08:00",
    resource_type: "encrypt-resource",
    event_type: "TRANSACTION.SUCCESS",
    summary: "支付成功",
    resource: {
      original_type: "transaction",
      algorithm: "AEAD_AES_256_GCM",
      ciphertext,
      associated_data: "transaction",
      nonce,
    },
  });
}

function signed(
  body: string,
  opts: { key?: string; serial?: string; ageSec?: number; probe?: boolean } = {},
): TNotify {
  const timestamp = String(Math.floor(Date.now() / 1000) - (opts.ageSec ?? 0));
  const nonce = crypto.randomUUID().replace(/-/g, "").toUpperCase();
  const signature = opts.probe
    ? `${SIGNATURE_PROBE_PREFIX}${Buffer.alloc(192, 7).toString("base64")}`
    : signSha256WithRsa(
        opts.key ?? WECHATPAY_KEY,
        buildResponseMessageBytes(timestamp, nonce, Buffer.from(body)),
      );
  return {
    body,
    headers: {
      "content-type": "application/json",
      "wechatpay-nonce": nonce,
      "wechatpay-signature": signature,
      "wechatpay-timestamp": timestamp,
      "wechatpay-serial": opts.serial ?? PUB_KEY_ID,
      "wechatpay-signature-type": AUTH_SCHEME,
    },
  };
}

async function deliver(n: TNotify): Promise<{ status: number; text: string }> {
  const res = await fetch(`${h.url}/api/wechat/v3/pay/notify`, {
    method: "POST",
    headers: n.headers,
    body: n.body,
  });
  return { status: res.status, text: await res.text() };
}

const orderRow = async (orderId: string) =>
  (await h.deps.db.select().from(orders).where(eq(orders.id, orderId)))[0];
const paidEvents = async (orderId: string) =>
  (await h.deps.db.select().from(orderEvents).where(eq(orderEvents.orderId, orderId))).filter(
    (e) => e.type === "PAID",
  );

describe("hostile v3 notifies are refused with nothing applied", () => {
  it("forged signature, unknown serial, stale timestamp, SIGNTEST probe, flipped ciphertext or tag, wrong amount, appid or mchid, oversized or malformed body", async () => {
    const a = await v3Attempt();
    const good = transaction(a);
    // Each refusal is stored with its own v3 verdict (not v2's BAD_XML/BAD_SIGN), by digest: nothing of it is applied.
    const cases: [string, TNotify, string][] = [
      ["signed with the merchant's own key", signed(seal(good), { key: MERCHANT_KEY }), "BAD_SIGNATURE"],
      [
        "unknown serial",
        signed(seal(good), { serial: "PUB_KEY_ID_0112300001099999999999999999999999" }),
        "UNKNOWN_SERIAL",
      ],
      ["timestamp over 5 minutes old", signed(seal(good), { ageSec: 301 }), "STALE_TIMESTAMP"],
      ["a SIGNTEST probe", signed(seal(good), { probe: true }), "SIGNTEST_PROBE"],
      ["ciphertext flipped", signed(seal(good, { flip: "ciphertext" })), "DECRYPT_FAILED"],
      ["tag flipped", signed(seal(good, { flip: "tag" })), "DECRYPT_FAILED"],
      [
        "sealed with another APIv3 key",
        signed(seal(good, { key: "ffffffffffffffffffffffffffffffff" })),
        "DECRYPT_FAILED",
      ],
      [
        "amount not the attempt's",
        signed(seal(transaction(a, { amount: { total: a.amountFen - 1, currency: "CNY" } }))),
        "AMOUNT_MISMATCH",
      ],
      ["appid not ours", signed(seal(transaction(a, { appid: "wx0000000000000000" }))), "WRONG_APPID"],
      ["mchid not ours", signed(seal(transaction(a, { mchid: "1900000001" }))), "WRONG_MCH_ID"],
      ["malformed body", signed("{not json"), "BAD_BODY"],
      ["oversized body", signed(`{"pad":"${"x".repeat(70 * 1024)}"}`), "BODY_TOO_LARGE"],
    ];
    // The body bytes are what is signed: a body changed after signing is a forgery too.
    const tampered = signed(seal(good));
    cases.push([
      "body changed after signing",
      { ...tampered, body: tampered.body.replace('"支付成功"', '"成功"') },
      "BAD_SIGNATURE",
    ]);
    for (const [what, n, verdict] of cases) {
      const r = await deliver(n);
      expect(r.status, what).toBeGreaterThanOrEqual(400);
      expect(r.text, what).toContain('"code":"FAIL"');
      const digest = createHash("sha256").update(n.body).digest("hex");
      const rows = await h.deps.db
        .select()
        .from(paymentNotifications)
        .where(eq(paymentNotifications.bodySha256, digest));
      expect(
        rows.map((x) => x.verdict),
        what,
      ).toEqual([verdict]);
      expect(rows[0]?.reply, what).toBe(String(r.status));
    }
    // The console's notify inbox lists every one of them as failing.
    const failing = await listNotifications(h.deps, { limit: 200, failingOnly: true });
    for (const [, , verdict] of cases) expect(failing.map((x) => x.verdict)).toContain(verdict);
    expect((await orderRow(a.orderId))?.status).toBe("PENDING");
    expect(await paidEvents(a.orderId)).toHaveLength(0);
    const [attempt] = await h.deps.db
      .select()
      .from(paymentAttempts)
      .where(eq(paymentAttempts.outTradeNo, a.outTradeNo));
    expect(attempt?.status).toBe("PREPAID");
  });
});

describe("a genuine v3 notify applies exactly once", () => {
  it("delivered 12 times, 8 of them at once: one transition, one PAID event, every reply 204", async () => {
    const a = await v3Attempt();
    const n = signed(seal(transaction(a)));
    const concurrent = await Promise.all(Array.from({ length: 8 }, () => deliver(n)));
    const sequential = [];
    for (let i = 0; i < 4; i += 1) sequential.push(await deliver(n));
    for (const r of [...concurrent, ...sequential]) expect(r.status).toBe(204);
    expect((await orderRow(a.orderId))?.status).toBe("PAID");
    expect(await paidEvents(a.orderId)).toHaveLength(1);
  });
});

describe("switch-over: orders started on v2, the shop restarted on v3", () => {
  it("v2 attempts settle over v2 (notify and query), exactly once; new attempts are v3", async () => {
    // Before: the shop on v2.
    h.reconfigure({ apiVersion: "v2" });
    const started: TAttempt[] = [];
    for (let i = 0; i < 3; i += 1) {
      const shopper = new Shopper(h.url);
      const r = await shopper.mutate<{ orderId: string }>("createOrder", {
        items: [{ sku: "TEA-LONGJING", qty: 1 }],
      });
      const orderId = r.data?.orderId ?? "";
      await shopper.mutate("prepay", { orderId, channel: "h5" });
      const [row] = await h.deps.db
        .select()
        .from(paymentAttempts)
        .where(eq(paymentAttempts.orderId, orderId));
      expect(row?.apiVersion).toBe("v2");
      started.push({
        outTradeNo: row?.outTradeNo ?? "",
        amountFen: row?.amountFen ?? 0,
        appid: row?.appid ?? "",
        orderId,
      });
    }
    // Restart on v3: fresh deps over the same database.
    h.reconfigure({ apiVersion: "v3" });
    const [first, second, third] = started as [TAttempt, TAttempt, TAttempt];
    // 1: WeChat's v2 notify arrives after the restart (duplicated): applied once, through the v2 route.
    await h.control.setFault({ outTradeNo: first.outTradeNo }, { duplicate: 2 });
    await h.control.pay({ outTradeNo: first.outTradeNo });
    await eventually(
      () => orderRow(first.orderId),
      (o) => o?.status === "PAID",
    );
    // 2: its notify is lost; the v2 query (orderquery) settles it.
    await h.control.setFault({ outTradeNo: second.outTradeNo }, { drop: true });
    await h.control.pay({ outTradeNo: second.outTradeNo });
    const [row2] = await h.deps.db
      .select()
      .from(paymentAttempts)
      .where(eq(paymentAttempts.outTradeNo, second.outTradeNo));
    if (!row2) throw new Error("no attempt");
    expect((await syncAttempt(h.deps, row2)).kind).toBe("paid");
    expect((await syncAttempt(h.deps, row2)).kind).toBe("paid");
    // 3: paid, notify dropped, reconciliation on the v3 shop finds it over v2.
    await h.control.setFault({ outTradeNo: third.outTradeNo }, { drop: true });
    await h.control.pay({ outTradeNo: third.outTradeNo });
    await h.deps.db
      .update(paymentAttempts)
      .set({ nextCheckAt: new Date(Date.now() - 1000) })
      .where(eq(paymentAttempts.outTradeNo, third.outTradeNo));
    await reconcilePass(h.deps);
    for (const a of started) {
      expect((await orderRow(a.orderId))?.status, a.outTradeNo).toBe("PAID");
      expect(await paidEvents(a.orderId)).toHaveLength(1);
    }
    // The v2 attempt's notifies came to the v2 route as XML, and were answered SUCCESS there.
    const v2Deliveries = h.notifyLog.filter((n) => n.body.includes(first.outTradeNo));
    expect(v2Deliveries.length).toBeGreaterThanOrEqual(1);
    for (const d of v2Deliveries) {
      expect(d.body.startsWith("<xml>")).toBe(true);
      expect(d.reply).toContain("SUCCESS");
    }

    // New attempts after the restart are v3.
    const fresh = await v3Attempt();
    const [freshRow] = await h.deps.db
      .select()
      .from(paymentAttempts)
      .where(eq(paymentAttempts.outTradeNo, fresh.outTradeNo));
    expect(freshRow?.apiVersion).toBe("v3");
  });
});
