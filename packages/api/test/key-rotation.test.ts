// Key rotation with an end: the previous APIv2 key verifies notifies only until WECHATPAY_KEY_PREVIOUS_UNTIL, and
// each notify it verifies is an alert and says so on its row. Attempts keep the sign type they were made with, so
// changing WECHATPAY_SIGN_TYPE strands no payment already under way.
import { desc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { Logger } from "@wxpay/core";
import { orders, paymentAttempts, paymentNotifications } from "@wxpay/db";
import { buildPayNotify, replyXml, verifyPaySign } from "@wxpay/wechatpay";

import type { Harness } from "./harness";
import { deliverPayNotify, eventually, paidNotifyFields, Shopper, startHarness } from "./harness";

const OLD_KEY = "0ld0ld0ld0ld0ld0ld0ld0ld0ld0ld0l";
const alerts: { msg: string; fields: Record<string, unknown> }[] = [];
const log: Logger = {
  info() {},
  warn() {},
  error() {},
  alert: (msg, fields) => alerts.push({ msg, fields: fields ?? {} }),
};

let h: Harness;
let rotationEnds: Date;
beforeAll(async () => {
  rotationEnds = new Date(Date.now() + 60 * 60_000);
  h = await startHarness({
    label: "api_key_rotation",
    log,
    config: { previousKeys: [OLD_KEY], previousKeysUntil: rotationEnds },
  });
});
afterAll(async () => {
  await h.close();
});

async function pendingAttempt(shopper = new Shopper(h.url), channel: "h5" | "jsapi" = "h5") {
  const orderId =
    (await shopper.mutate<{ orderId: string }>("createOrder", { items: [{ sku: "CUP-CELADON", qty: 1 }] }))
      .data?.orderId ?? "";
  if (channel === "jsapi") await shopper.oauth(h, "alice");
  const prepaid = await shopper.mutate<{ payParams?: Record<string, string> }>("prepay", {
    orderId,
    channel,
  });
  const [a] = await h.deps.db.select().from(paymentAttempts).where(eq(paymentAttempts.orderId, orderId));
  if (!a) throw new Error("no attempt");
  return { attempt: a, shopper, payParams: prepaid.data?.payParams };
}

const orderStatus = async (orderId: string) =>
  (await h.deps.db.select().from(orders).where(eq(orders.id, orderId)))[0]?.status;
const lastNotification = async () =>
  (await h.deps.db.select().from(paymentNotifications).orderBy(desc(paymentNotifications.id)).limit(1))[0];

describe("the previous key", () => {
  it("verifies a notify during the rotation, which is an alert and says so on its row", async () => {
    const { attempt } = await pendingAttempt();
    alerts.length = 0;
    const reply = await deliverPayNotify(h, buildPayNotify(paidNotifyFields(h, attempt), OLD_KEY, "MD5"));
    expect(reply).toBe(replyXml(true));
    expect(await orderStatus(attempt.orderId)).toBe("PAID");
    expect((await lastNotification())?.detail).toMatch(/previous API key/);
    expect(alerts.map((a) => a.msg)).toContain("notify verified with the previous API key");
  });

  it("is refused once WECHATPAY_KEY_PREVIOUS_UNTIL has passed", async () => {
    const { attempt } = await pendingAttempt();
    await h.advance(rotationEnds.getTime() - Date.now() + 60_000);
    const reply = await deliverPayNotify(h, buildPayNotify(paidNotifyFields(h, attempt), OLD_KEY, "MD5"));
    expect(reply).toBe(replyXml(false, "签名失败"));
    expect((await lastNotification())?.verdict).toBe("BAD_SIGN");
    expect(await orderStatus(attempt.orderId)).toBe("PENDING");
    // The current key still works.
    const ok = await deliverPayNotify(
      h,
      buildPayNotify(paidNotifyFields(h, attempt), h.deps.config.key, "MD5"),
    );
    expect(ok).toBe(replyXml(true));
  });
});

describe("changing WECHATPAY_SIGN_TYPE", () => {
  it("strands no attempt made under the old one: its pay parameters and its notify keep their sign type", async () => {
    h.reconfigure({ signType: "MD5" });
    const { attempt, shopper, payParams } = await pendingAttempt(new Shopper(h.url), "jsapi");
    expect(attempt.signType).toBe("MD5");
    expect(payParams?.signType).toBe("MD5");

    h.reconfigure({ signType: "HMAC-SHA256" });
    // The shopper comes back to the same attempt: WeChat wants paySign in the unifiedorder's sign type.
    type TPayParams = {
      appId: string;
      timeStamp: string;
      nonceStr: string;
      package: string;
      signType: string;
      paySign: string;
    };
    const again = await shopper.mutate<{ payParams: TPayParams }>("prepay", {
      orderId: attempt.orderId,
      channel: "jsapi",
    });
    expect(again.data?.payParams.signType).toBe("MD5");
    expect(again.data && verifyPaySign(again.data.payParams, [h.deps.config.key])).toBe(true);

    // WeChat signs this order's notify with MD5 (and no sign_type): it is still taken.
    await h.control.pay({ outTradeNo: attempt.outTradeNo, userId: "alice" });
    await eventually(
      () => orderStatus(attempt.orderId),
      (s) => s === "PAID",
    );
    h.reconfigure({ signType: "MD5" });
  });
});
