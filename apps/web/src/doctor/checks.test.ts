import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { SANDBOX } from "../env";
import {
  checkAppUrl,
  checkConfigParses,
  checkDatabase,
  checkMerchantCertificate,
  checkMpVerify,
  checkNoSandboxSecrets,
  checkNotifyUrls,
  checkReachable,
  checkV2Key,
  checkV3Key,
  checkWechatHosts,
  checkWechatPayPublicKey,
  publicKeyFingerprint,
  SANDBOX_SECRETS,
  WECHAT_HOSTS,
} from "./checks";
import type { TTestKeys } from "./test-keys";
import { makeTestKeys, TEST_MCH_ID } from "./test-keys";

const SANDBOX_DIR = path.resolve(import.meta.dirname, "../../../wechat-sim/sandbox");
const sandboxFile = (name: string) => fs.readFileSync(path.join(SANDBOX_DIR, name), "utf8");

let keys: TTestKeys;
beforeAll(() => {
  keys = makeTestKeys();
});
afterAll(() => fs.rmSync(keys.dir, { recursive: true, force: true }));

describe("doctor: configuration and URLs", () => {
  it("passes a configuration the web app accepts and names each variable it would refuse", () => {
    expect(checkConfigParses({}).status).toBe("ok");
    const bad = checkConfigParses({ WECHATPAY_KEY: "short", WECHATPAY_API_VERSION: "v4" });
    expect(bad.status).toBe("fail");
    expect(bad.detail).toMatch(/WECHATPAY_KEY/);
    expect(bad.detail).toMatch(/WECHATPAY_API_VERSION/);
    expect(bad.fix?.zh).toBeTruthy();
  });

  it("wants APP_URL to be a public https origin with nothing after it", () => {
    expect(checkAppUrl("https://shop.example.com").status).toBe("ok");
    for (const url of [
      "http://shop.example.com",
      "https://localhost:3000",
      "https://192.168.1.5",
      "https://shop.example.com/shop",
      "https://shop.example.com/?a=1",
      "not a url",
    ]) {
      const r = checkAppUrl(url);
      expect(r.status, url).toBe("fail");
      expect(r.fix?.en).toMatch(/https origin/);
    }
  });

  it("refuses notify URLs longer than WeChat takes (255 for v3 ordering, 256 otherwise)", () => {
    expect(checkNotifyUrls("https://shop.example.com").status).toBe("ok");
    // v3 pay notify path is 25 characters: an origin of 231 makes it 256, one over v3's 255.
    const origin = `https://${"a".repeat(231 - "https://".length - ".cn".length)}.cn`;
    expect(origin).toHaveLength(231);
    const r = checkNotifyUrls(origin);
    expect(r.status).toBe("fail");
    expect(r.detail).toMatch(/v3\/pay\/notify is 256 characters \(WeChat allows 255\)/);
    expect(r.detail).toMatch(/v3\/refund\/notify is 259 characters \(WeChat allows 256\)/);
    // The v2 paths are shorter and fit.
    expect(r.detail).not.toMatch(/wechat\/(pay|refund)\/notify is/);
  });

  it("refuses notify URLs that would carry a query string", () => {
    const r = checkNotifyUrls("https://shop.example.com?x=1");
    expect(r.status).toBe("fail");
    expect(r.detail).toMatch(/query string/);
  });

  it("wants the three WeChat base URLs to be WeChat's own hosts", () => {
    expect(checkWechatHosts({ ...WECHAT_HOSTS }).status).toBe("ok");
    const r = checkWechatHosts({ ...WECHAT_HOSTS, WECHAT_API_BASE: "http://localhost:3100" });
    expect(r.status).toBe("fail");
    expect(r.detail).toBe("WECHAT_API_BASE=http://localhost:3100");
    expect(r.fix?.en).toContain("WECHAT_API_BASE=https://api.weixin.qq.com");
  });

  it("wants at least one MP_verify file", () => {
    expect(checkMpVerify({ "MP_verify_abc.txt": "abc" }).status).toBe("ok");
    expect(checkMpVerify({}).fix?.en).toMatch(/WECHAT_MP_VERIFY/);
  });
});

describe("doctor: secrets and keys", () => {
  it("knows the sandbox key files by their public keys", () => {
    const prints = Object.values(SANDBOX_SECRETS.keyFingerprints);
    for (const f of ["apiclient_key.pem", "apiclient_cert.pem", "pub_key.pem", "platform_cert.pem"]) {
      expect(prints, f).toContain(publicKeyFingerprint(sandboxFile(f)));
    }
  });

  it("finds sandbox values, unset settings that fall back to them, and sandbox key files", () => {
    const r = checkNoSandboxSecrets(
      { WECHATPAY_KEY: SANDBOX.WECHATPAY_KEY, WECHATPAY_APIV3_KEY: SANDBOX_SECRETS.WECHATPAY_APIV3_KEY },
      {
        WECHATPAY_MCH_KEY_PATH: sandboxFile("apiclient_key.pem"),
        WECHATPAY_PUBLIC_KEY_PATH: keys.publicKeyPem,
      },
    );
    expect(r.status).toBe("fail");
    expect(r.detail).toContain("WECHATPAY_KEY,");
    expect(r.detail).toContain("WECHATPAY_APIV3_KEY");
    expect(r.detail).toContain("SESSION_SECRET (unset)");
    expect(r.detail).toContain("WECHATPAY_MCH_KEY_PATH (a sandbox key file)");
    expect(r.detail).not.toContain("WECHATPAY_PUBLIC_KEY_PATH");
  });

  it("passes own values and own key files", () => {
    const own = {
      WECHAT_APPID: "wx0123456789abcdef",
      WECHAT_APPSECRET: "own-secret",
      WECHAT_MINI_APPID: "wxfedcba9876543210",
      WECHAT_MINI_SECRET: "own-mini-secret",
      WECHATPAY_MCH_ID: TEST_MCH_ID,
      WECHATPAY_KEY: "A".repeat(32),
      SESSION_SECRET: "s".repeat(40),
    };
    expect(checkNoSandboxSecrets(own, { WECHATPAY_MCH_KEY_PATH: keys.keyPem }).status).toBe("ok");
  });

  it("takes a v2 key of 32 letters and digits only", () => {
    expect(checkV2Key("Ab3".repeat(10) + "Zz").status).toBe("ok");
    expect(checkV2Key("a".repeat(31)).detail).toBe("31 characters");
    expect(checkV2Key(`${"a".repeat(31)}!`).status).toBe("fail");
    expect(checkV2Key(undefined).status).toBe("fail");
  });

  it("takes an APIv3 key of 32 bytes", () => {
    expect(checkV3Key("k".repeat(32)).status).toBe("ok");
    expect(checkV3Key("密钥".repeat(8)).status).toBe("fail");
    expect(checkV3Key("k".repeat(33)).detail).toBe("33 bytes");
  });

  it("accepts a matching certificate and key issued to the merchant, with its serial", () => {
    const r = checkMerchantCertificate({
      certPem: keys.certPem,
      keyPem: keys.keyPem,
      mchId: TEST_MCH_ID,
      serial: keys.serial.toLowerCase(),
      now: new Date(),
    });
    expect(r.status).toBe("ok");
    expect(r.detail).toContain(keys.serial);
  });

  it("refuses a key that does not belong to the certificate", () => {
    const r = checkMerchantCertificate({
      certPem: keys.certPem,
      keyPem: keys.otherKeyPem,
      mchId: TEST_MCH_ID,
      serial: undefined,
      now: new Date(),
    });
    expect(r).toMatchObject({ status: "fail", detail: "the private key does not belong to the certificate" });
    expect(r.fix?.zh).toMatch(/不是一对/);
  });

  it("refuses a certificate that has expired or expires within 30 days", () => {
    const validTo = new Date(new crypto.X509Certificate(keys.certPem).validTo);
    const at = (daysBefore: number) => new Date(validTo.getTime() - daysBefore * 86_400_000);
    const check = (now: Date) =>
      checkMerchantCertificate({
        certPem: keys.certPem,
        keyPem: keys.keyPem,
        mchId: undefined,
        serial: undefined,
        now,
      });
    expect(check(at(31)).status).toBe("ok");
    expect(check(at(10)).detail).toMatch(/^expires in 10 days/);
    expect(check(at(-1)).detail).toMatch(/^expired on/);
  });

  it("refuses another merchant's certificate, a wrong serial, and missing or unreadable files", () => {
    const base = { certPem: keys.certPem, keyPem: keys.keyPem, now: new Date() };
    expect(checkMerchantCertificate({ ...base, mchId: "1230000109", serial: undefined }).detail).toMatch(
      /not to 1230000109/,
    );
    expect(checkMerchantCertificate({ ...base, mchId: undefined, serial: "ABCDEF" }).fix?.en).toContain(
      keys.serial,
    );
    expect(
      checkMerchantCertificate({ ...base, certPem: undefined, mchId: undefined, serial: undefined }).detail,
    ).toBe("certificate missing");
    expect(
      checkMerchantCertificate({ ...base, certPem: "garbage", mchId: undefined, serial: undefined }).detail,
    ).toMatch(/not a PEM certificate/);
  });

  it("checks the WeChat Pay public key and its PUB_KEY_ID_ id together", () => {
    const id = "PUB_KEY_ID_0114321234562026112900000000000042";
    expect(checkWechatPayPublicKey(keys.publicKeyPem, id).status).toBe("ok");
    expect(checkWechatPayPublicKey(undefined, undefined).detail).toMatch(/platform-certificate mode/);
    expect(checkWechatPayPublicKey(keys.publicKeyPem, "0114321234562026").detail).toMatch(/PUB_KEY_ID_/);
    expect(checkWechatPayPublicKey(undefined, id).status).toBe("fail");
    expect(checkWechatPayPublicKey(keys.keyPem, id).detail).toBe("the file holds a private key");
    const ec = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" });
    expect(
      checkWechatPayPublicKey(ec.publicKey.export({ type: "spki", format: "pem" }) as string, id).status,
    ).toBe("fail");
  });
});

describe("doctor: database and hosts", () => {
  it("wants PostgreSQL, reachable and migrated", async () => {
    const migrated = async () => ({ ok: true, migrations: { applied: 5, expected: 5 } });
    const behind = async () => ({ ok: false, migrations: { applied: 3, expected: 5 } });
    const down = async () => {
      throw new Error("connect ECONNREFUSED 127.0.0.1:1");
    };
    expect((await checkDatabase("postgres://db/shop", migrated)).status).toBe("ok");
    expect((await checkDatabase(undefined, migrated)).detail).toMatch(/PGlite is for development only/);
    const pending = await checkDatabase("postgres://db/shop", behind);
    expect(pending.detail).toBe("3/5 migrations applied");
    expect(pending.fix?.en).toContain("pnpm --filter @wxpay/db migrate");
    expect((await checkDatabase("postgres://db/shop", down)).detail).toMatch(/ECONNREFUSED/);
  });

  it("reports a host that answers as reachable, and one that does not as unknown, never as a blocker", async () => {
    const server = http.createServer((_req, res) => res.writeHead(404).end());
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address() as AddressInfo;
    try {
      expect(await checkReachable(`http://127.0.0.1:${port}`)).toMatchObject({
        status: "ok",
        detail: "HTTP 404",
      });
    } finally {
      await new Promise((r) => server.close(r));
    }
    const closed = await checkReachable(`http://127.0.0.1:${port}`);
    expect(closed.status).toBe("unknown");
    expect(closed.detail).toMatch(/ECONNREFUSED/);
  });
});
