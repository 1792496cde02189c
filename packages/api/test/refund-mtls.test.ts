// Refunds over mutual TLS: the simulator's HTTPS listener demands the merchant's client certificate for /secapi/
// (as WeChat does), and the shop presents the configured one — the sandbox apiclient_cert.pem/apiclient_key.pem.
// A refund that cannot leave the shop because of its configuration is final; one whose fate is unknown is re-sent.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { CoreDeps } from "@wxpay/core";
import { createCoreDeps, isCoreError, reconcilePass, requestRefund } from "@wxpay/core";
import { orderEvents, orders, paymentAttempts, refunds } from "@wxpay/db";
import type { TMerchantCert } from "@wxpay/wechatpay";

import type { Harness } from "./harness";
import { eventually, Shopper, startHarness } from "./harness";

const SANDBOX = fileURLToPath(new URL("../../../apps/wechat-sim/sandbox/", import.meta.url));
const MCH_CERT = readFileSync(path.join(SANDBOX, "apiclient_cert.pem"), "utf8");
const MCH_KEY = readFileSync(path.join(SANDBOX, "apiclient_key.pem"), "utf8");

/** A self-signed certificate made by the openssl CLI for this run (the listener's own, or an intruder's). */
function selfSigned(cn: string): { certPem: string; keyPem: string } {
  const dir = mkdtempSync(path.join(tmpdir(), "wxpay-mtls-"));
  try {
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        path.join(dir, "key.pem"),
        "-out",
        path.join(dir, "cert.pem"),
        "-days",
        "2",
        "-subj",
        `/CN=${cn}`,
        "-addext",
        "subjectAltName=DNS:localhost,IP:127.0.0.1",
      ],
      { stdio: "pipe" },
    );
    return {
      certPem: readFileSync(path.join(dir, "cert.pem"), "utf8"),
      keyPem: readFileSync(path.join(dir, "key.pem"), "utf8"),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const SERVER = selfSigned("localhost");
let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    label: "api_refund_mtls",
    simTls: { certPem: SERVER.certPem, keyPem: SERVER.keyPem, clientCaPem: MCH_CERT },
  });
});
afterAll(async () => {
  await h.close();
});

/** The shop's deps reaching WeChat's pay API over HTTPS (the simulator's TLS listener) with this certificate. */
function overTls(cert: TMerchantCert | undefined): CoreDeps {
  const base = h.sim.tlsUrl ?? "";
  return createCoreDeps({
    db: h.deps.db,
    config: h.deps.config,
    log: h.deps.log,
    now: h.deps.now,
    wechat: {
      payBase: base,
      apiBase: h.sim.url,
      openBase: h.sim.url,
      timeoutMs: 5000,
      ...(cert ? { merchantCert: cert } : {}),
    },
  });
}

async function paidOrder() {
  const shopper = new Shopper(h.url);
  const orderId =
    (await shopper.mutate<{ orderId: string }>("createOrder", { items: [{ sku: "CUP-CELADON", qty: 1 }] }))
      .data?.orderId ?? "";
  await shopper.mutate("prepay", { orderId, channel: "h5" });
  const [attempt] = await h.deps.db
    .select()
    .from(paymentAttempts)
    .where(eq(paymentAttempts.orderId, orderId));
  await h.control.pay({ outTradeNo: attempt?.outTradeNo, userId: "alice" });
  await eventually(
    async () => (await h.deps.db.select().from(orders).where(eq(orders.id, orderId)))[0]?.status,
    (s) => s === "PAID",
  );
  return { orderId, outTradeNo: attempt?.outTradeNo ?? "" };
}

const refundRows = (orderId: string) => h.deps.db.select().from(refunds).where(eq(refunds.orderId, orderId));
const orderStatus = async (orderId: string) =>
  (await h.deps.db.select().from(orders).where(eq(orders.id, orderId)))[0]?.status;

async function failure(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error("expected a failure");
}

describe("refunds over mutual TLS", () => {
  it("with the configured merchant certificate the refund is accepted over HTTPS and settles", async () => {
    const p = await paidOrder();
    const deps = overTls({ certPem: MCH_CERT, keyPem: MCH_KEY, caPem: SERVER.certPem });
    const r = await requestRefund(deps, { orderId: p.orderId, reason: "顾客取消" });
    expect(r).toMatchObject({ status: "REQUESTED", orderStatus: "REFUNDING" });
    const [row] = await refundRows(p.orderId);
    expect(row?.refundId).toBeTruthy();
    expect(await h.control.refunds({ outTradeNo: p.outTradeNo })).toHaveLength(1);
    await h.control.settleRefund({ outRefundNo: r.outRefundNo });
    await eventually(
      () => orderStatus(p.orderId),
      (s) => s === "REFUNDED",
    );
  });

  it("without a certificate the refund is final at once: the row says why and the order is PAID again", async () => {
    const p = await paidOrder();
    const err = await failure(requestRefund(overTls(undefined), { orderId: p.orderId }));
    expect(isCoreError(err) && err.code).toBe("WECHAT_REJECTED");
    const [row] = await refundRows(p.orderId);
    expect(row).toMatchObject({ status: "FAILED" });
    expect(row?.lastError).toMatch(/CERT_REQUIRED/);
    expect(await orderStatus(p.orderId)).toBe("PAID");
    const types = (await h.deps.db.select().from(orderEvents).where(eq(orderEvents.orderId, p.orderId))).map(
      (e) => e.type,
    );
    expect(types.slice(-2)).toEqual(["REFUND_REQUESTED", "REFUND_FAILED"]);
    expect(await h.control.refunds({ outTradeNo: p.outTradeNo })).toHaveLength(0);
    // Nothing is stuck: with the configuration fixed, the operator asks again and it goes through.
    const again = await requestRefund(
      overTls({ certPem: MCH_CERT, keyPem: MCH_KEY, caPem: SERVER.certPem }),
      {
        orderId: p.orderId,
      },
    );
    expect(again).toMatchObject({ status: "REQUESTED", orderStatus: "REFUNDING" });
    expect(again.outRefundNo).not.toBe(row?.outRefundNo);
  });

  it("a server certificate the shop does not trust is a configuration failure too, and final", async () => {
    const p = await paidOrder();
    const err = await failure(
      requestRefund(overTls({ certPem: MCH_CERT, keyPem: MCH_KEY }), { orderId: p.orderId }),
    );
    expect(isCoreError(err) && err.code).toBe("WECHAT_REJECTED");
    const [row] = await refundRows(p.orderId);
    expect(row).toMatchObject({ status: "FAILED" });
    expect(row?.lastError).toMatch(/TLS_SERVER_UNTRUSTED/);
    expect(await orderStatus(p.orderId)).toBe("PAID");
  });

  it("a certificate WeChat refuses never reaches it; the refund stays REQUESTED and reconciliation re-sends it", async () => {
    const p = await paidOrder();
    const intruder = selfSigned("1230000109");
    const err = await failure(
      requestRefund(overTls({ certPem: intruder.certPem, keyPem: intruder.keyPem, caPem: SERVER.certPem }), {
        orderId: p.orderId,
      }),
    );
    expect(isCoreError(err) && err.code).toBe("WECHAT_BUSY");
    const [row] = await refundRows(p.orderId);
    expect(row).toMatchObject({ status: "REQUESTED", refundId: null });
    expect(row?.lastError).toMatch(/NETWORK/);
    expect(await h.control.refunds({ outTradeNo: p.outTradeNo })).toHaveLength(0);
    expect(await orderStatus(p.orderId)).toBe("REFUNDING");

    // Five minutes on, reconciliation asks WeChat (REFUNDNOTEXIST) and re-sends the same out_refund_no.
    await h.advance(6 * 60_000);
    await reconcilePass(h.deps);
    const sim = await h.control.refunds({ outTradeNo: p.outTradeNo });
    expect(sim.map((x) => x.outRefundNo)).toEqual([row?.outRefundNo]);
    const [after] = await refundRows(p.orderId);
    expect(after?.refundId).toBeTruthy();
  });
});
