import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createV3Merchant, encryptAeadAesGcm, loadPublicKey, verifySha256WithRsa } from "@wxpay/wechatpay/v3";
import type { TV3MerchantConfig } from "@wxpay/wechatpay/v3";

import { makeTestPki } from "../helpers/test-pki";
import type { TTestPki } from "../helpers/test-pki";
import {
  APIV3_KEY,
  merchant,
  notifyBody,
  PUB_KEY_ID,
  signedHeaders,
  signers,
  startV3Server,
  V3_APPID,
  V3_MCH_ID,
  V3_OPENID,
  wechat,
} from "../helpers/wechat-pay-v3-server";
import type { TV3Server } from "../helpers/wechat-pay-v3-server";

let pki: TTestPki;
let server: TV3Server;
let downloads = 0;

beforeAll(async () => {
  pki = makeTestPki(V3_MCH_ID);
  server = await startV3Server({ keyPem: pki.serverKeyPem, certPem: pki.serverCertPem, caPem: pki.caPem });
  server.route("GET", "/v3/certificates", () => {
    downloads += 1;
    const nonce = "uluk4a9R25RW";
    return {
      kind: "json",
      signer: signers.platform,
      body: {
        data: [
          {
            serial_no: wechat.platformSerial,
            effective_time: "2023-09-19T23:15:58+08:00",
            expire_time: "2033-09-17T23:15:58+08:00",
            encrypt_certificate: {
              algorithm: "AEAD_AES_256_GCM",
              nonce,
              associated_data: "certificate",
              ciphertext: encryptAeadAesGcm({
                key: APIV3_KEY,
                nonce,
                associatedData: "certificate",
                plaintext: wechat.platformCertPem,
              }),
            },
          },
        ],
      },
    };
  });
});
afterAll(async () => {
  await server.close();
  pki.cleanup();
});

const base = (): TV3MerchantConfig => ({
  mchId: V3_MCH_ID,
  privateKey: merchant.privateKeyPem,
  serialNo: merchant.serialNo,
  apiV3Key: APIV3_KEY,
  appIds: [V3_APPID],
  baseUrl: server.baseUrl,
  fetch: server.fetch,
});

const paid = {
  appid: V3_APPID,
  mchid: V3_MCH_ID,
  out_trade_no: "20261129aZ3kP9qLm2Xc7Rt5Vb8Nw4Hy",
  transaction_id: "4200000985202103031441826014",
  trade_type: "JSAPI",
  trade_state: "SUCCESS",
  success_time: "2026-11-29T10:34:56+08:00",
  payer: { openid: V3_OPENID },
  amount: { total: 100, payer_total: 100, currency: "CNY" },
};

function notify(signer = signers.platform) {
  const body = notifyBody("TRANSACTION.SUCCESS", paid);
  return { headers: signedHeaders(body, signer), body };
}

describe("one merchant, three modes", () => {
  it("with only the public key it is in public-key mode and holds no certificate store", () => {
    const m = createV3Merchant({ ...base(), publicKey: { id: PUB_KEY_ID, pem: wechat.publicKeyPem } });
    expect(m.mode).toBe("public-key");
    expect(m.certificates).toBeUndefined();
    expect(m.parsePayNotify(notify(signers.publicKey)).ok).toBe(true);
    expect(m.encryptionKey()?.serial).toBe(PUB_KEY_ID);
  });

  it("in certificate mode, the first notify from an unseen certificate downloads the list once and is accepted", async () => {
    downloads = 0;
    const cached: string[][] = [];
    const m = createV3Merchant({
      ...base(),
      onCertificates: (list) => cached.push(list.map((c) => c.serialNo)),
    });
    expect(m.mode).toBe("certificate");
    expect(m.parsePayNotify(notify())).toMatchObject({ ok: false, rejection: { verify: "UNKNOWN_SERIAL" } });
    expect((await m.parsePayNotifyRefreshing(notify())).ok).toBe(true);
    expect((await m.parsePayNotifyRefreshing(notify())).ok).toBe(true);
    expect(downloads).toBe(1);
    expect(cached).toEqual([[wechat.platformSerial]]);
    expect(m.encryptionKey()?.serial).toBe(wechat.platformSerial);
  });

  it("a notify naming a serial WeChat does not have is refused after one download, and does not trigger more", async () => {
    downloads = 0;
    const m = createV3Merchant(base());
    const forged = { ...signers.platform, serial: "0000000000000000000000000000000000000BAD" };
    expect(await m.parsePayNotifyRefreshing(notify(forged))).toMatchObject({
      ok: false,
      rejection: {
        code: "BAD_SIGN",
        verify: "UNKNOWN_SERIAL",
        serial: "0000000000000000000000000000000000000BAD",
      },
    });
    await m.parsePayNotifyRefreshing(notify(forged));
    expect(downloads).toBe(1);
  });

  it("switching: both keys verify, and requests ask WeChat to sign with the public key", async () => {
    const m = createV3Merchant({
      ...base(),
      publicKey: { id: PUB_KEY_ID, pem: wechat.publicKeyPem },
      certificates: [],
    });
    expect(m.mode).toBe("switching");
    expect(m.parsePayNotify(notify(signers.publicKey)).ok).toBe(true);
    expect((await m.parsePayNotifyRefreshing(notify(signers.platform))).ok).toBe(true);
    server.route("POST", "/v3/pay/transactions/native", () => ({
      kind: "json",
      body: { code_url: "weixin://x" },
    }));
    await m.client.nativePrepay({
      appId: V3_APPID,
      description: "咖啡豆",
      outTradeNo: "N20261129000001",
      amount: { totalFen: 1 },
      notifyUrl: "https://shop.example.com/api/wechat/v3/pay/notify",
    });
    expect(server.requests.at(-1)?.headers["wechatpay-serial"]).toBe(PUB_KEY_ID);
  });

  it("pay parameters are signed with the merchant key", () => {
    const m = createV3Merchant({ ...base(), publicKey: { id: PUB_KEY_ID, pem: wechat.publicKeyPem } });
    const p = m.jsapiPayParams(V3_APPID, "wx201410272009395522657a690389285100");
    const message = `${p.appId}\n${p.timeStamp}\n${p.nonceStr}\n${p.package}\n`;
    expect(verifySha256WithRsa(loadPublicKey(merchant.certificatePem), message, p.paySign)).toBe(true);
  });
});
