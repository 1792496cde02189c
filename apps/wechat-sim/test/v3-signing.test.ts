// API v3 authentication both ways, judged by a merchant written from WeChat's documentation with node:crypto
// (test/v3-by-the-docs.ts): its signed requests are accepted and the simulator's answers verify, in all three
// signing modes; an unsigned, wrongly signed or stale request gets WeChat's 401 SIGN_ERROR, unsigned.
import { generateKeyPairSync, X509Certificate } from "node:crypto";

import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { createSimControl, type SimControl } from "../src/control-client";
import type { Simulator } from "../src/server";
import { openidOf, outTradeNo, SANDBOX, startTestSim } from "./helpers";
import { answerVerifies, byTheDocsClient, decryptByTheDocs, MERCHANT, signedHeaders } from "./v3-by-the-docs";

let sim: Simulator;
let control: SimControl;
let client: ReturnType<typeof byTheDocsClient>;
const nowSec = () => Math.floor(sim.clock.now() / 1000);

beforeAll(async () => {
  sim = await startTestSim({ timeScale: 0 });
  control = createSimControl(sim.url);
  client = byTheDocsClient(sim.url, nowSec);
});
afterAll(() => sim.close());
beforeEach(() => sim.state.reset());

const jsapiOrder = (no: string, over: Record<string, unknown> = {}) => ({
  appid: SANDBOX.officialAppId,
  mchid: SANDBOX.mchId,
  description: "测试商品",
  out_trade_no: no,
  notify_url: "https://shop.example/api/wechat/v3/pay/notify",
  amount: { total: 1, currency: "CNY" },
  payer: { openid: openidOf("alice") },
  ...over,
});

describe.each(["public-key", "certificate", "switching"] as const)("signing mode %s", (mode) => {
  beforeEach(async () => {
    await control.setSigning({ mode });
  });

  it("accepts a signed JSAPI order and signs the answer; query and close answer signed too (204 over an empty body)", async () => {
    const no = outTradeNo();
    const created = await client.post("/v3/pay/transactions/jsapi", jsapiOrder(no));
    expect(created.status).toBe(200);
    expect(created.json).toEqual({ prepay_id: expect.stringMatching(/^wx\d{14}[0-9a-f]{20}$/) });
    expect(answerVerifies(created, nowSec())).toBe(true);
    expect(created.headers.get("request-id")).toMatch(/^[0-9A-F]{44}-0$/);

    const query = await client.get(`/v3/pay/transactions/out-trade-no/${no}?mchid=${SANDBOX.mchId}`);
    expect(query.status).toBe(200);
    expect(answerVerifies(query, nowSec())).toBe(true);
    expect(query.json).toMatchObject({ out_trade_no: no, trade_state: "NOTPAY", amount: { total: 1 } });

    const closed = await client.post(`/v3/pay/transactions/out-trade-no/${no}/close`, {
      mchid: SANDBOX.mchId,
    });
    expect(closed.status).toBe(204);
    expect(closed.text).toBe("");
    expect(answerVerifies(closed, nowSec())).toBe(true);
  });

  it("a business error after a verified signature is signed as well (404 ORDER_NOT_EXIST)", async () => {
    const r = await client.get(
      `/v3/pay/transactions/out-trade-no/NOPE${outTradeNo()}?mchid=${SANDBOX.mchId}`,
    );
    expect(r.status).toBe(404);
    expect(r.json).toEqual({ code: "ORDER_NOT_EXIST", message: "订单不存在" });
    expect(answerVerifies(r, nowSec())).toBe(true);
  });
});

describe("which key signs", () => {
  const serialOf = async (wechatpaySerial?: string) => {
    const r = await client.get(`/v3/pay/transactions/out-trade-no/X${outTradeNo()}?mchid=${SANDBOX.mchId}`, {
      wechatpaySerial,
    });
    expect(answerVerifies(r, nowSec())).toBe(true);
    return signedHeaders((n) => r.headers.get(n)).serial;
  };

  it("a public-key merchant gets the public key whatever it asks; a certificate merchant gets the platform certificate", async () => {
    expect(await serialOf()).toBe(SANDBOX.publicKeyId);
    expect(await serialOf(SANDBOX.platformSerial)).toBe(SANDBOX.publicKeyId);
    await control.setSigning({ mode: "certificate" });
    expect(await serialOf()).toBe(SANDBOX.platformSerial);
    // WeChat keeps signing with the certificate until the switch-over starts, even if the request names the key.
    expect(await serialOf(SANDBOX.publicKeyId)).toBe(SANDBOX.platformSerial);
  });

  it("during the switch-over the request's Wechatpay-Serial picks the answer's key, and the switch needs no restart", async () => {
    await control.setSigning({ mode: "certificate" });
    expect(await serialOf(SANDBOX.publicKeyId)).toBe(SANDBOX.platformSerial);
    await control.setSigning({ mode: "switching" });
    expect(await serialOf(SANDBOX.publicKeyId)).toBe(SANDBOX.publicKeyId);
    expect(await serialOf(SANDBOX.platformSerial)).toBe(SANDBOX.platformSerial);
    expect(await serialOf()).toBe(SANDBOX.platformSerial);
    await control.setSigning({ mode: "public-key" });
    expect(await serialOf(SANDBOX.platformSerial)).toBe(SANDBOX.publicKeyId);
  });

  it("a queued answer probe carries WECHATPAY/SIGNTEST/ and fails verification; the next answer is genuine", async () => {
    const view = await control.setSigning({ probeResponses: 1 });
    expect(view.probeResponses).toBe(1);
    const probe = await client.get(
      `/v3/pay/transactions/out-trade-no/X${outTradeNo()}?mchid=${SANDBOX.mchId}`,
    );
    expect(probe.headers.get("wechatpay-signature")).toMatch(/^WECHATPAY\/SIGNTEST\//);
    expect(answerVerifies(probe, nowSec())).toBe(false);
    const next = await client.get(
      `/v3/pay/transactions/out-trade-no/X${outTradeNo()}?mchid=${SANDBOX.mchId}`,
    );
    expect(answerVerifies(next, nowSec())).toBe(true);
    expect((await control.signing()).probeResponses).toBe(0);
  });
});

describe("requests WeChat refuses with 401 SIGN_ERROR (unsigned answers)", () => {
  const path = () => `/v3/pay/transactions/out-trade-no/${outTradeNo()}?mchid=${SANDBOX.mchId}`;
  const expectSignError = (r: { status: number; json: unknown; headers: Headers }, message: string) => {
    expect(r.status).toBe(401);
    expect(r.json).toMatchObject({ code: "SIGN_ERROR", message });
    expect(r.headers.get("wechatpay-signature")).toBeNull();
    expect(r.headers.get("request-id")).toMatch(/-268443699$/);
  };

  it("no Authorization header", async () => {
    expectSignError(
      await client.get(path(), { unsigned: true }),
      "Http头Authorization值格式错误，请参考《微信支付商户REST API签名规则》",
    );
  });

  it("another authentication scheme", async () => {
    const r = await client.get(path(), {
      unsigned: true,
      headers: { Authorization: 'WECHATPAY2-SHA256-RSA4096 mchid="1"' },
    });
    expectSignError(r, "Http头Authorization认证类型不正确");
  });

  it("signed with another key: the answer says what was signed", async () => {
    const { privateKey } = generateKeyPairSync("rsa", {
      modulusLength: 2048,
      privateKeyEncoding: { type: "pkcs8", format: "pem" },
      publicKeyEncoding: { type: "spki", format: "pem" },
    });
    const p = path();
    const r = await client.get(p, { privateKey });
    expectSignError(r, "签名错误，请检查后再试");
    expect(r.json).toMatchObject({
      detail: {
        field: "signature",
        location: "authorization",
        detail: { issue: "sign not match" },
        sign_information: { method: "GET", url: p },
      },
    });
  });

  it("a body changed after signing", async () => {
    const body = jsapiOrder(outTradeNo());
    const r = await client.post("/v3/pay/transactions/jsapi", body, {
      sendBody: JSON.stringify({ ...body, amount: { total: 100, currency: "CNY" } }),
    });
    expectSignError(r, "签名错误，请检查后再试");
  });

  it("a stale timestamp (more than 5 minutes old) and one from the future", async () => {
    expectSignError(
      await client.get(path(), { timestamp: nowSec() - 301 }),
      "请求的时间戳已过期，请检查系统时间后再试",
    );
    expectSignError(
      await client.get(path(), { timestamp: nowSec() + 301 }),
      "请求的时间戳已过期，请检查系统时间后再试",
    );
    expect((await client.get(path(), { timestamp: nowSec() - 299 })).status).toBe(404);
  });

  it("the platform serial (or any other) in serial_no instead of the merchant certificate's", async () => {
    expectSignError(await client.get(path(), { serialNo: SANDBOX.platformSerial }), "商户证书序列号有误");
  });

  it("Accept or User-Agent missing answers 400 INVALID_REQUEST before the signature is looked at", async () => {
    const res = await fetch(`${sim.url}${path()}`, { headers: { Accept: "", "User-Agent": "" } });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ code: "INVALID_REQUEST", message: "Http头缺少Accept或User-Agent" });
  });
});

describe("GET /v3/certificates", () => {
  it("a public-key merchant has no platform certificate: 404 RESOURCE_NOT_EXISTS with WeChat's text", async () => {
    const r = await client.get("/v3/certificates");
    expect(r.status).toBe(404);
    expect(r.json).toEqual({
      code: "RESOURCE_NOT_EXISTS",
      message: expect.stringContaining("无可用的平台证书，请在商户平台-API安全申请使用微信支付公钥"),
    });
  });

  it.each(["certificate", "switching"] as const)(
    "in %s mode it lists the platform certificate, decrypting with the APIv3 key to the certificate the answers verify with",
    async (mode) => {
      await control.setSigning({ mode });
      const r = await client.get("/v3/certificates");
      expect(r.status).toBe(200);
      expect(answerVerifies(r, nowSec())).toBe(true);
      const [entry] = (r.json as { data: { serial_no: string; encrypt_certificate: never }[] }).data;
      expect(entry?.serial_no).toBe(SANDBOX.platformSerial);
      const pem = decryptByTheDocs(entry?.encrypt_certificate ?? { ciphertext: "", nonce: "" });
      const cert = new X509Certificate(pem);
      expect(cert.serialNumber.toUpperCase()).toBe(SANDBOX.platformSerial);
      expect(pem.trim()).toBe(MERCHANT.platformCert.trim());
    },
  );
});

describe("the signature clock", () => {
  it("with signatureClock real (the running simulator's default), a shop on the machine's clock stays valid after a test moves the simulator's clock", async () => {
    const running = await startTestSim({ timeScale: 0, rules: { signatureClock: "real" } });
    try {
      running.clock.advance(10 * 60 * 1000);
      const realNow = () => Math.floor(Date.now() / 1000);
      const shop = byTheDocsClient(running.url, realNow);
      const r = await shop.get(`/v3/pay/transactions/out-trade-no/${outTradeNo()}?mchid=${SANDBOX.mchId}`);
      expect(r.status).toBe(404);
      expect(answerVerifies(r, realNow())).toBe(true);
      // The same request stamped with the simulator's (moved) clock is stale for it.
      const simStamped = await shop.get(
        `/v3/pay/transactions/out-trade-no/${outTradeNo()}?mchid=${SANDBOX.mchId}`,
        {
          timestamp: Math.floor(running.clock.now() / 1000),
        },
      );
      expect(simStamped.status).toBe(401);
    } finally {
      await running.close();
    }
  });
});
