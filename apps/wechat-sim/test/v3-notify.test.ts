// v3 notifies through the same engine as v2: the envelope, its AES-GCM resource and the signature checked by a
// merchant written from WeChat's documentation; v3's reply rule (any 2xx acknowledges); signature probes; the
// key a notify carries in each signing mode; refund events.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { createSimControl, type SimControl } from "../src/control-client";
import type { Simulator } from "../src/server";
import {
  openidOf,
  outTradeNo,
  SANDBOX,
  startMerchant,
  startTestSim,
  until,
  type ReceivedNotify,
} from "./helpers";
import {
  byTheDocsClient,
  decryptByTheDocs,
  signedHeaders,
  verifiesByTheDocs,
  type V3Notify,
} from "./v3-by-the-docs";

let sim: Simulator;
let control: SimControl;
let client: ReturnType<typeof byTheDocsClient>;
const nowSec = () => Math.floor(sim.clock.now() / 1000);
let merchant: Awaited<ReturnType<typeof startMerchant>> | undefined;

beforeAll(async () => {
  sim = await startTestSim({ timeScale: 0 });
  control = createSimControl(sim.url);
  client = byTheDocsClient(sim.url, nowSec);
});
afterAll(() => sim.close());
beforeEach(() => sim.state.reset());
afterEach(async () => {
  await merchant?.close();
  merchant = undefined;
});

/** A merchant that verifies each notify by the docs: 204 when it verifies, 401 when it does not. */
async function verifyingMerchant() {
  merchant = await startMerchant((n) =>
    verifies(n) ? { status: 204, body: "" } : { status: 401, body: '{"code":"FAIL","message":"签名错误"}' },
  );
  return merchant;
}

function verifies(n: ReceivedNotify): boolean {
  return verifiesByTheDocs(
    signedHeaders((name) => n.headers[name] as string | undefined),
    n.body,
    nowSec(),
  );
}

function serialOf(n: ReceivedNotify): string {
  return String(n.headers["wechatpay-serial"]);
}

function resourceOf(n: ReceivedNotify): Record<string, unknown> {
  const envelope = JSON.parse(n.body) as V3Notify;
  return JSON.parse(decryptByTheDocs(envelope.resource)) as Record<string, unknown>;
}

async function paidOrder(notifyUrl: string, total = 1999): Promise<{ no: string; transactionId: string }> {
  const no = outTradeNo();
  const r = await client.post("/v3/pay/transactions/jsapi", {
    appid: SANDBOX.officialAppId,
    mchid: SANDBOX.mchId,
    description: "v3 测试商品",
    out_trade_no: no,
    attach: "cart=42",
    notify_url: notifyUrl,
    amount: { total },
    payer: { openid: openidOf("alice") },
  });
  expect(r.status).toBe(200);
  const paid = await control.pay({ outTradeNo: no });
  return { no, transactionId: paid.order.transactionId ?? "" };
}

describe("payment notify (TRANSACTION.SUCCESS)", () => {
  it("verifies by the docs, decrypts with the sandbox APIv3 key to the Transaction, and a 204 acknowledges it", async () => {
    const m = await verifyingMerchant();
    const { no, transactionId } = await paidOrder(m.url);
    await m.waitFor(1);
    const [n] = m.received;
    if (!n) throw new Error("no notify");
    expect(n.headers["content-type"]).toBe("application/json");
    expect(n.headers["wechatpay-signature-type"]).toBe("WECHATPAY2-SHA256-RSA2048");
    expect(verifies(n)).toBe(true);
    expect(serialOf(n)).toBe(SANDBOX.publicKeyId);
    const envelope = JSON.parse(n.body) as V3Notify;
    expect(envelope).toMatchObject({
      event_type: "TRANSACTION.SUCCESS",
      resource_type: "encrypt-resource",
      summary: "支付成功",
      resource: {
        original_type: "transaction",
        algorithm: "AEAD_AES_256_GCM",
        associated_data: "transaction",
      },
    });
    expect(envelope.create_time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/);
    expect(envelope.resource.nonce).toHaveLength(12);
    expect(resourceOf(n)).toEqual({
      appid: SANDBOX.officialAppId,
      mchid: SANDBOX.mchId,
      out_trade_no: no,
      transaction_id: transactionId,
      trade_type: "JSAPI",
      trade_state: "SUCCESS",
      trade_state_desc: "支付成功",
      bank_type: "OTHERS",
      attach: "cart=42",
      success_time: expect.stringMatching(/\+08:00$/),
      payer: { openid: openidOf("alice") },
      amount: { total: 1999, payer_total: 1999, currency: "CNY", payer_currency: "CNY" },
    });
    await until(async () => (await control.notifies({ outTradeNo: no }))[0]?.status === "delivered");
    // The admin page shows the delivery with its event and the key it named.
    const admin = await (await fetch(`${sim.url}/__sim/admin`)).text();
    expect(admin).toContain("TRANSACTION.SUCCESS");
    expect(admin).toContain(SANDBOX.publicKeyId);
  });

  it("a flipped byte in the ciphertext or in its tag does not decrypt", async () => {
    const m = await verifyingMerchant();
    await paidOrder(m.url);
    await m.waitFor(1);
    const { resource } = JSON.parse(m.received[0]?.body ?? "") as V3Notify;
    const bytes = Buffer.from(resource.ciphertext, "base64");
    const flipped = (i: number) => {
      const copy = Buffer.from(bytes);
      copy[i] = (copy[i] ?? 0) ^ 0x01;
      return { ...resource, ciphertext: copy.toString("base64") };
    };
    expect(() => decryptByTheDocs(resource)).not.toThrow();
    expect(() => decryptByTheDocs(flipped(0))).toThrow(); // in the ciphertext
    expect(() => decryptByTheDocs(flipped(bytes.length - 1))).toThrow(); // in the 16-byte tag
    expect(() => decryptByTheDocs(resource, "0".repeat(32))).toThrow(); // another APIv3 key
    expect(() => decryptByTheDocs({ ...resource, associated_data: "refund" })).toThrow();
  });

  it("any 2xx acknowledges whatever the body; a 500 is retried 15 s later with a fresh signature", async () => {
    const m = (merchant = await startMerchant((_n, i) =>
      i === 0 ? { status: 500, body: "" } : { status: 200, body: '{"code":"FAIL","message":"失败"}' },
    ));
    const { no } = await paidOrder(m.url);
    await m.waitFor(1);
    await until(
      async () => (await control.notifies({ outTradeNo: no }))[0]?.attempts[0]?.outcome === "HTTP_STATUS",
    );
    sim.clock.advance(15_000);
    await m.waitFor(2);
    await until(async () => (await control.notifies({ outTradeNo: no }))[0]?.status === "delivered");
    const [first, second] = m.received;
    expect(first?.body).toBe(second?.body); // the same notification (same id, same resource)
    expect(
      Number(second?.headers["wechatpay-timestamp"]) - Number(first?.headers["wechatpay-timestamp"]),
    ).toBe(15);
    expect(second?.headers["wechatpay-nonce"]).not.toBe(first?.headers["wechatpay-nonce"]);
    sim.clock.advance(60_000);
    await new Promise((r) => setTimeout(r, 50));
    expect(m.received).toHaveLength(2);
  });

  it("a signature probe fails verification; the merchant's 401 makes WeChat deliver again, genuinely signed", async () => {
    await control.setSigning({ probeNotifies: 1 });
    const m = await verifyingMerchant();
    const { no } = await paidOrder(m.url);
    await m.waitFor(1);
    expect(String(m.received[0]?.headers["wechatpay-signature"])).toMatch(/^WECHATPAY\/SIGNTEST\//);
    expect(verifies(m.received[0] as ReceivedNotify)).toBe(false);
    await until(
      async () => (await control.notifies({ outTradeNo: no }))[0]?.attempts[0]?.outcome === "HTTP_STATUS",
    );
    sim.clock.advance(15_000);
    await m.waitFor(2);
    expect(verifies(m.received[1] as ReceivedNotify)).toBe(true);
    await until(async () => (await control.notifies({ outTradeNo: no }))[0]?.status === "delivered");
    const [job] = await control.notifies({ outTradeNo: no });
    expect(job?.attempts.map((a) => [a.n, a.probe ?? false, a.outcome])).toEqual([
      [1, true, "HTTP_STATUS"],
      [2, false, "SUCCESS"],
    ]);
  });

  it("a forged copy (badSignature) arrives first and does not verify; the genuine one does", async () => {
    await control.setFault({}, { badSignature: true });
    const m = await verifyingMerchant();
    await paidOrder(m.url);
    await m.waitFor(2);
    expect(m.received.map(verifies)).toEqual([false, true]);
  });
});

describe("the key a notify carries, per signing mode", () => {
  it("public-key mode: the public key; certificate mode: the platform certificate; switching: either, each verifying", async () => {
    const m = await verifyingMerchant();
    await paidOrder(m.url);
    await control.setSigning({ mode: "certificate" });
    await paidOrder(m.url);
    await control.setSigning({ mode: "switching", publicKeyShare: 0.5 });
    for (let i = 0; i < 4; i++) await paidOrder(m.url);
    await m.waitFor(6);
    expect(m.received.every(verifies)).toBe(true);
    const serials = m.received.map(serialOf);
    expect(serials.slice(0, 2)).toEqual([SANDBOX.publicKeyId, SANDBOX.platformSerial]);
    expect(serials.slice(2).sort()).toEqual(
      [SANDBOX.platformSerial, SANDBOX.platformSerial, SANDBOX.publicKeyId, SANDBOX.publicKeyId].sort(),
    );
  });
});

describe("refund notifies", () => {
  async function refund(no: string, outRefundNo: string, amount: number, notifyUrl: string) {
    const r = await client.post("/v3/refund/domestic/refunds", {
      out_trade_no: no,
      out_refund_no: outRefundNo,
      notify_url: notifyUrl,
      amount: { refund: amount, total: 1999, currency: "CNY" },
    });
    expect(r.status).toBe(200);
    return r.json as { refund_id: string; status: string };
  }

  it.each([
    ["SUCCESS", undefined, "REFUND.SUCCESS", "退款成功"],
    ["ABNORMAL", "ABNORMAL", "REFUND.ABNORMAL", "退款异常"],
    ["CLOSED", "CLOSED", "REFUND.CLOSED", "退款关闭"],
  ] as const)("a refund that ends %s is notified as %s", async (status, outcome, eventType, summary) => {
    const m = await verifyingMerchant();
    const { no, transactionId } = await paidOrder(m.url);
    await m.waitFor(1);
    if (outcome) await control.setFault({ outTradeNo: no }, { refundOutcome: outcome });
    const accepted = await refund(no, `R${no}`.slice(0, 32), 500, m.url);
    expect(accepted.status).toBe("PROCESSING");
    sim.clock.advance(5_000);
    await m.waitFor(2);
    const n = m.received[1] as ReceivedNotify;
    expect(verifies(n)).toBe(true);
    expect(JSON.parse(n.body)).toMatchObject({
      event_type: eventType,
      summary,
      resource: { original_type: "refund", associated_data: "refund" },
    });
    const resource = resourceOf(n);
    expect(resource).toMatchObject({
      mchid: SANDBOX.mchId,
      out_trade_no: no,
      transaction_id: transactionId,
      refund_id: accepted.refund_id,
      out_refund_no: `R${no}`.slice(0, 32),
      refund_status: status,
      amount: { total: 1999, refund: 500, payer_total: 1999, payer_refund: 500 },
    });
    expect("success_time" in resource).toBe(status === "SUCCESS");
  });
});
