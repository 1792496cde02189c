// The shop's own v3 client and notify parser (@wxpay/wechatpay/v3) against the simulator, in each signing mode:
// what the shop will do in its tests, so a disagreement between the two shows here first. (The simulator is
// judged independently in v3-signing/v3-notify/v3-api, with code written from WeChat's documentation.)
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import {
  createV3Client,
  parseV3PayNotify,
  platformCertificate,
  wechatpayPublicKey,
  WechatpayVerifier,
} from "@wxpay/wechatpay/v3";

import { createSimControl, type SimControl } from "../src/control-client";
import type { Simulator } from "../src/server";
import { openidOf, outTradeNo, SANDBOX, startTestSim, until } from "./helpers";
import { MERCHANT } from "./v3-by-the-docs";

let sim: Simulator;
let control: SimControl;
const nowSec = () => Math.floor(sim.clock.now() / 1000);

beforeAll(async () => {
  sim = await startTestSim({ timeScale: 0, startTime: Date.parse("2026-11-30T10:00:00+08:00") });
  control = createSimControl(sim.url);
});
afterAll(() => sim.close());
beforeEach(() => sim.state.reset());

function shopClient() {
  // A merchant in the switch-over holds both keys; the verifier picks by Wechatpay-Serial.
  const verifier = new WechatpayVerifier({
    publicKey: wechatpayPublicKey(MERCHANT.publicKeyId, MERCHANT.publicKey),
    certificates: [platformCertificate(MERCHANT.platformCert)],
    now: nowSec,
  });
  const client = createV3Client({
    mchId: SANDBOX.mchId,
    privateKey: MERCHANT.privateKey,
    serialNo: MERCHANT.serialNo,
    verifier,
    baseUrl: sim.url,
    now: nowSec,
  });
  return { client, verifier };
}

describe.each(["public-key", "certificate", "switching"] as const)("signing mode %s", (mode) => {
  it("orders, queries, refunds, downloads a bill and parses the payment notify", async () => {
    await control.setSigning({ mode });
    const { client, verifier } = shopClient();
    // The shop's client insists on https (WeChat's rule); nothing listens there, and the simulator records what it sent.
    const notifyUrl = "https://127.0.0.1:9/api/wechat/v3/pay/notify";
    const no = outTradeNo();
    const { prepayId } = await client.jsapiPrepay({
      appId: SANDBOX.officialAppId,
      description: "商城订单",
      outTradeNo: no,
      amount: { totalFen: 1500 },
      notifyUrl,
      payerOpenid: openidOf("alice"),
    });
    expect(prepayId).toMatch(/^wx/);
    expect((await client.queryByOutTradeNo(no)).tradeState).toBe("NOTPAY");
    await control.pay({ outTradeNo: no });
    await until(async () => ((await control.notifies({ outTradeNo: no }))[0]?.attempts.length ?? 0) > 0);
    const [attempt] = (await control.notifies({ outTradeNo: no }))[0]?.attempts ?? [];
    const parsed = parseV3PayNotify(
      { headers: attempt?.headers ?? {}, body: attempt?.body ?? "" },
      { verifier, apiV3Key: SANDBOX.apiV3Key, mchId: SANDBOX.mchId, appIds: [SANDBOX.officialAppId] },
    );
    expect(parsed.ok && parsed.notification).toMatchObject({ outTradeNo: no, totalFeeFen: 1500 });

    const refund = await client.refund({
      outTradeNo: no,
      outRefundNo: `${no}-r`,
      refundFen: 500,
      totalFen: 1500,
    });
    expect(refund).toMatchObject({ status: "PROCESSING" });
    sim.clock.advance(24 * 60 * 60 * 1000);
    const info = await client.tradeBill({
      billDate: new Date(sim.clock.now() - 16 * 3600_000).toISOString().slice(0, 10),
    });
    const file = await client.downloadBill(info);
    expect(file.toString("utf8")).toContain(no);

    const other = outTradeNo();
    await client.nativePrepay({
      appId: SANDBOX.officialAppId,
      description: "扫码",
      outTradeNo: other,
      amount: { totalFen: 1 },
      notifyUrl,
    });
    await client.closeOrder(other);
    expect((await client.queryByOutTradeNo(other)).tradeState).toBe("CLOSED");
  });
});
