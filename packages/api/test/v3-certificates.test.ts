// API v3 in platform-certificate mode (no WeChat Pay public key): the certificates live in Postgres
// (wechat_platform_certificates), shared by every instance. Two instances starting together download once; a restart
// reads the table and downloads nothing; a certificate close to its expiry is downloaded again (at most every 10
// minutes across the fleet); a payment's notify, signed by the platform certificate, is verified with the cached one.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { CoreDeps } from "@wxpay/core";
import { createCoreDeps, ensurePlatformCertificates } from "@wxpay/core";
import { sandboxV3Credentials } from "@wxpay/core/testing";
import { orders, paymentAttempts, wechatPlatformCertificates } from "@wxpay/db";
import type { TFetch } from "@wxpay/wechatpay";

import type { Harness } from "./harness";
import { eventually, Shopper, startHarness } from "./harness";

/** Every GET /v3/certificates any instance of the shop sends. */
const downloads: string[] = [];
const counting =
  (inner: TFetch): TFetch =>
  (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    if (new URL(url).pathname === "/v3/certificates") downloads.push(url);
    return inner(input, init);
  };

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    label: "api_v3_certificates",
    config: { apiVersion: "v3" },
    v3Mode: "certificate",
    wrapFetch: counting,
  });
  await h.control.setSigning({ mode: "certificate" });
});
afterAll(async () => {
  await h.close();
});

/** Another instance of the shop: its own process state (an empty certificate store), the same database. */
function instance(): CoreDeps {
  return createCoreDeps({
    db: h.deps.db,
    config: h.deps.config,
    log: h.deps.log,
    wechat: {
      payBase: h.sim.url,
      apiBase: h.sim.url,
      openBase: h.sim.url,
      timeoutMs: 5000,
      v3: sandboxV3Credentials("certificate"),
      fetch: counting(fetch),
    },
  });
}

const cachedRows = () => h.deps.db.select().from(wechatPlatformCertificates);

describe("platform certificates cached in PostgreSQL", () => {
  it("two instances starting at once download once; both hold the certificate, and the table has it", async () => {
    const [a, b] = [instance(), instance()];
    expect(a.v3?.mode).toBe("certificate");
    const results = await Promise.all([ensurePlatformCertificates(a), ensurePlatformCertificates(b)]);
    expect(downloads).toHaveLength(1);
    expect(results.map((r) => r.held)).toEqual([1, 1]);
    const rows = await cachedRows();
    expect(rows).toHaveLength(1);
    const serial = rows[0]?.serialNo ?? "";
    expect(a.v3?.certificates?.serials()).toEqual([serial]);
    expect(b.v3?.certificates?.serials()).toEqual([serial]);
    expect(rows[0]?.mchId).toBe(h.deps.config.mchId);
    expect(rows[0]?.pem).toContain("BEGIN CERTIFICATE");
  });

  it("a restart loads the table and downloads nothing; the notify, signed by the platform certificate, pays the order", async () => {
    const before = downloads.length;
    // The shop restarted: fresh deps (an empty certificate store) over the same database.
    h.reconfigure({});
    expect(h.deps.v3?.certificates?.serials()).toEqual([]);
    const r = await ensurePlatformCertificates(h.deps);
    expect(r).toEqual({ held: 1, refreshed: false });
    expect(downloads.length).toBe(before);

    const shopper = new Shopper(h.url);
    const created = await shopper.mutate<{ orderId: string }>("createOrder", {
      items: [{ sku: "CUP-CELADON", qty: 1 }],
    });
    const orderId = created.data?.orderId ?? "";
    const prepaid = await shopper.mutate("prepay", { orderId, channel: "h5" });
    expect(prepaid.status).toBe(200);
    const [attempt] = await h.deps.db
      .select()
      .from(paymentAttempts)
      .where(eq(paymentAttempts.orderId, orderId));
    await h.control.pay({ outTradeNo: attempt?.outTradeNo ?? "" });
    await eventually(
      async () => (await h.deps.db.select().from(orders).where(eq(orders.id, orderId)))[0]?.status,
      (s) => s === "PAID",
    );
    // The answers (prepay) and the notify were verified with the cached certificate: still no download.
    expect(downloads.length).toBe(before);
    expect(h.notifyLog.filter((n) => n.verdict === "APPLIED")).toHaveLength(1);
  });

  it("a certificate close to its expiry is downloaded again, at most every 10 minutes across instances", async () => {
    const soon = new Date(Date.now() + 3600_000);
    await h.deps.db
      .update(wechatPlatformCertificates)
      .set({ expiresAt: soon, fetchedAt: new Date(Date.now() - 3600_000) });
    const before = downloads.length;
    const r = await ensurePlatformCertificates(instance());
    expect(r.refreshed).toBe(true);
    expect(downloads.length).toBe(before + 1);
    // WeChat's answer carries the certificate's real expiry (years away): the row says so again.
    const [row] = await cachedRows();
    expect(row?.expiresAt.getTime()).toBeGreaterThan(Date.now() + 365 * 86_400_000);

    // Still expiring after a download a minute ago (WeChat had nothing newer): nobody asks again yet.
    await h.deps.db
      .update(wechatPlatformCertificates)
      .set({ expiresAt: soon, fetchedAt: new Date(Date.now() - 60_000) });
    expect((await ensurePlatformCertificates(instance())).refreshed).toBe(false);
    expect(downloads.length).toBe(before + 1);
  });
});
