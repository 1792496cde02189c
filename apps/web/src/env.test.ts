import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { afterAll, describe, expect, it } from "vitest";

import { parseEnv, SANDBOX } from "./env";

/** Real WeChat hosts with every secret set to a non-sandbox value. */
const REAL = {
  WECHAT_PAY_BASE: "https://api.mch.weixin.qq.com",
  WECHAT_API_BASE: "https://api.weixin.qq.com",
  WECHAT_OPEN_BASE: "https://open.weixin.qq.com",
  WECHATPAY_KEY: "Zk3q9Vw2Lp7Xc4Rt8Yb1Nm6Hd5Gf0Js2",
  WECHAT_APPSECRET: "a-real-official-account-secret",
  WECHAT_MINI_SECRET: "a-real-mini-program-secret",
  SESSION_SECRET: "a-real-session-secret-of-at-least-32-characters",
};

// A merchant certificate and key of this run's own (as the merchant platform issues them: CN = mch_id).
const dir = mkdtempSync(path.join(tmpdir(), "wxpay-env-"));
const file = (name: string) => path.join(dir, name);
execFileSync(
  "openssl",
  [
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    file("key.pem"),
    "-out",
    file("cert.pem"),
    "-days",
    "2",
    "-set_serial",
    "0x1A2B3C",
    "-subj",
    "/CN=1230000109",
  ],
  { stdio: "pipe" },
);
execFileSync("openssl", ["genpkey", "-algorithm", "RSA", "-out", file("other-key.pem")], { stdio: "pipe" });
writeFileSync(file("not-a-cert.pem"), "hello");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("configuration", () => {
  it("runs on the simulator's sandbox values when nothing is set", () => {
    const e = parseEnv({});
    expect(e.WECHATPAY_MCH_ID).toBe(SANDBOX.WECHATPAY_MCH_ID);
    expect(e.WECHAT_PAY_BASE).toBe("http://localhost:3100");
    expect(e.WECHATPAY_SIGN_TYPE).toBe("MD5");
    expect(e.TRUST_PROXY_HOPS).toBe(0);
    expect(e.DATABASE_URL).toBeUndefined();
  });

  it("names every invalid variable in one clear error", () => {
    const attempt = () =>
      parseEnv({ WECHATPAY_KEY: "short", WECHATPAY_SIGN_TYPE: "SHA1", APP_URL: "not a url" });
    expect(attempt).toThrow(/WECHATPAY_KEY: exactly 32 characters/);
    expect(attempt).toThrow(/WECHATPAY_SIGN_TYPE/);
    expect(attempt).toThrow(/APP_URL/);
  });

  it("refuses sandbox secrets against real WeChat hosts", () => {
    expect(() => parseEnv({ WECHAT_PAY_BASE: "https://api.mch.weixin.qq.com" })).toThrow(
      /WECHATPAY_KEY is the sandbox value/,
    );
  });

  describe("API v3 (WECHATPAY_API_VERSION=v3)", () => {
    it("runs on the sandbox v3 set with nothing else set: public-key mode, the sandbox merchant serial", () => {
      const e = parseEnv({ WECHATPAY_API_VERSION: "v3" });
      expect(e.WECHATPAY_API_VERSION).toBe("v3");
      expect(e.v3).toMatchObject({
        apiV3Key: "wxpaystackSandboxApiV3Key0123456",
        serialNo: "5A1B2C3D4E5F60718293A4B5C6D7E8F901234567",
        publicKey: { id: "PUB_KEY_ID_0112300001092026112900000000000001" },
      });
      expect(parseEnv({}).WECHATPAY_API_VERSION).toBe("v2");
    });

    it("WECHATPAY_PLATFORM_CERTIFICATES: alone = certificate mode, beside the public key = switching", () => {
      const alone = parseEnv({ WECHATPAY_API_VERSION: "v3", WECHATPAY_PLATFORM_CERTIFICATES: "true" });
      expect(alone.v3).not.toHaveProperty("publicKey");
      expect(alone.v3).not.toHaveProperty("acceptPlatformCertificates");
      const both = parseEnv({
        WECHATPAY_API_VERSION: "v3",
        WECHATPAY_PLATFORM_CERTIFICATES: "true",
        WECHATPAY_PUBLIC_KEY_PATH: "apps/wechat-sim/sandbox/pub_key.pem",
        WECHATPAY_PUBLIC_KEY_ID: "PUB_KEY_ID_0112300001092026112900000000000001",
      });
      expect(both.v3).toMatchObject({
        acceptPlatformCertificates: true,
        publicKey: { id: expect.any(String) },
      });
      expect(() =>
        parseEnv({ WECHATPAY_API_VERSION: "v3", WECHATPAY_PLATFORM_CERTIFICATES: "false" }),
      ).toThrow(/WECHATPAY_PLATFORM_CERTIFICATES: without the WeChat Pay public key/);
      expect(() => parseEnv({ WECHATPAY_PLATFORM_CERTIFICATES: "yes" })).toThrow(/true or false/);
    });

    it("refuses to start naming what is wrong: APIv3 key length, public key id format, an unreadable key file", () => {
      expect(() => parseEnv({ WECHATPAY_API_VERSION: "v3", WECHATPAY_APIV3_KEY: "short" })).toThrow(
        /WECHATPAY_APIV3_KEY: exactly 32 characters/,
      );
      expect(() =>
        parseEnv({
          WECHATPAY_API_VERSION: "v3",
          WECHATPAY_PUBLIC_KEY_ID: "KEY_1",
          WECHATPAY_PUBLIC_KEY_PATH: "x",
        }),
      ).toThrow(/WECHATPAY_PUBLIC_KEY_ID: PUB_KEY_ID_ followed by digits/);
      expect(() =>
        parseEnv({
          WECHATPAY_API_VERSION: "v3",
          WECHATPAY_PUBLIC_KEY_ID: "PUB_KEY_ID_0112300001092026112900000000000001",
          WECHATPAY_PUBLIC_KEY_PATH: file("missing.pem"),
        }),
      ).toThrow(/WECHATPAY_PUBLIC_KEY_PATH: cannot use/);
      expect(() =>
        parseEnv({
          WECHATPAY_API_VERSION: "v3",
          WECHATPAY_PUBLIC_KEY_ID: "PUB_KEY_ID_0112300001092026112900000000000001",
        }),
      ).toThrow(/set both WECHATPAY_PUBLIC_KEY_PATH and WECHATPAY_PUBLIC_KEY_ID/);
    });

    it("refuses a merchant key that is not the certificate's, and the sandbox APIv3 key against real WeChat", () => {
      expect(() =>
        parseEnv({
          WECHATPAY_API_VERSION: "v3",
          WECHATPAY_MCH_CERT_PATH: file("cert.pem"),
          WECHATPAY_MCH_KEY_PATH: file("other-key.pem"),
        }),
      ).toThrow(/WECHATPAY_MCH_KEY_PATH: not the private key of that certificate/);
      expect(() =>
        parseEnv({
          ...REAL,
          WECHATPAY_API_VERSION: "v3",
          WECHATPAY_MCH_CERT_PATH: file("cert.pem"),
          WECHATPAY_MCH_KEY_PATH: file("key.pem"),
          WECHATPAY_APIV3_KEY: "wxpaystackSandboxApiV3Key0123456",
        }),
      ).toThrow(/WECHATPAY_APIV3_KEY is the sandbox value/);
    });
  });

  it("treats an empty DATABASE_URL as unset (embedded PGlite)", () => {
    expect(parseEnv({ DATABASE_URL: "  " }).DATABASE_URL).toBeUndefined();
    expect(parseEnv({ APP_URL: "https://shop.example.com/" }).APP_URL).toBe("https://shop.example.com");
  });

  describe("the merchant certificate (refunds over mutual TLS)", () => {
    it("defaults to the simulator's sandbox certificate, whose serial it reads", () => {
      const e = parseEnv({});
      expect(e.REFUNDS_ENABLED).toBe(true);
      expect(e.merchantCert?.serial).toBe("5A1B2C3D4E5F60718293A4B5C6D7E8F901234567");
      expect(e.merchantCert?.certPem).toMatch(/BEGIN CERTIFICATE/);
    });

    it("with a real pay host and no certificate the app refuses to start while refunds are on, and says so", () => {
      expect(() => parseEnv(REAL)).toThrow(
        /WECHATPAY_MCH_CERT_PATH: refunds need the merchant API certificate/,
      );
      const off = parseEnv({ ...REAL, REFUNDS_ENABLED: "false" });
      expect(off.REFUNDS_ENABLED).toBe(false);
      expect(off.merchantCert).toBeUndefined();
    });

    it("with a real pay host the merchant's own certificate is loaded, and the sandbox one is refused", () => {
      const e = parseEnv({
        ...REAL,
        WECHATPAY_MCH_CERT_PATH: file("cert.pem"),
        WECHATPAY_MCH_KEY_PATH: file("key.pem"),
      });
      expect(e.merchantCert?.serial).toBe("1A2B3C");
      expect(() =>
        parseEnv({
          ...REAL,
          WECHATPAY_MCH_CERT_PATH: "apps/wechat-sim/sandbox/apiclient_cert.pem",
          WECHATPAY_MCH_KEY_PATH: "apps/wechat-sim/sandbox/apiclient_key.pem",
        }),
      ).toThrow(/WECHATPAY_MCH_CERT_PATH is the sandbox certificate/);
    });

    it("a missing file, a key of another certificate, half a pair or a wrong serial is refused by name", () => {
      const pair = { WECHATPAY_MCH_CERT_PATH: file("cert.pem"), WECHATPAY_MCH_KEY_PATH: file("key.pem") };
      expect(() => parseEnv({ ...pair, WECHATPAY_MCH_CERT_PATH: file("missing.pem") })).toThrow(
        /WECHATPAY_MCH_CERT_PATH: cannot read/,
      );
      expect(() => parseEnv({ ...pair, WECHATPAY_MCH_CERT_PATH: file("not-a-cert.pem") })).toThrow(
        /WECHATPAY_MCH_CERT_PATH: not a PEM certificate/,
      );
      expect(() => parseEnv({ ...pair, WECHATPAY_MCH_KEY_PATH: file("other-key.pem") })).toThrow(
        /WECHATPAY_MCH_KEY_PATH: not the private key of that certificate/,
      );
      expect(() => parseEnv({ WECHATPAY_MCH_CERT_PATH: file("cert.pem") })).toThrow(
        /WECHATPAY_MCH_KEY_PATH: set both/,
      );
      expect(() => parseEnv({ ...pair, WECHATPAY_MCH_SERIAL: "FFFF" })).toThrow(
        /WECHATPAY_MCH_SERIAL: the certificate's serial is 1A2B3C/,
      );
      expect(parseEnv({ ...pair, WECHATPAY_MCH_SERIAL: "1a2b3c" }).merchantCert?.serial).toBe("1A2B3C");
    });
  });

  describe("key rotation has an end", () => {
    it("WECHATPAY_KEY_PREVIOUS_UNTIL is an ISO time with a zone, and only with a previous key", () => {
      const previous = { WECHATPAY_KEY_PREVIOUS: "0123456789abcdef0123456789abcdef" };
      const e = parseEnv({ ...previous, WECHATPAY_KEY_PREVIOUS_UNTIL: "2026-12-31T16:00:00Z" });
      expect(e.WECHATPAY_KEY_PREVIOUS_UNTIL?.toISOString()).toBe("2026-12-31T16:00:00.000Z");
      expect(parseEnv(previous).WECHATPAY_KEY_PREVIOUS_UNTIL).toBeUndefined();
      expect(() => parseEnv({ ...previous, WECHATPAY_KEY_PREVIOUS_UNTIL: "next week" })).toThrow(
        /WECHATPAY_KEY_PREVIOUS_UNTIL/,
      );
      expect(() => parseEnv({ WECHATPAY_KEY_PREVIOUS_UNTIL: "2026-12-31T16:00:00Z" })).toThrow(
        /WECHATPAY_KEY_PREVIOUS_UNTIL: only with WECHATPAY_KEY_PREVIOUS/,
      );
    });
  });
});

describe("go-live configuration", () => {
  it("reads WeChat's domain verification files as name=content pairs", () => {
    expect(parseEnv({}).WECHAT_MP_VERIFY).toEqual({});
    expect(
      parseEnv({ WECHAT_MP_VERIFY: " MP_verify_abc.txt=abc123 , MP_verify_Xy9.txt=Xy9Q," }).WECHAT_MP_VERIFY,
    ).toEqual({ "MP_verify_abc.txt": "abc123", "MP_verify_Xy9.txt": "Xy9Q" });
    expect(() => parseEnv({ WECHAT_MP_VERIFY: "verify.txt=abc" })).toThrow(/WECHAT_MP_VERIFY: "verify.txt"/);
    expect(() => parseEnv({ WECHAT_MP_VERIFY: "MP_verify_abc.txt" })).toThrow(/WECHAT_MP_VERIFY/);
  });

  it("migrates on start unless MIGRATE_ON_START is false", () => {
    expect(parseEnv({}).MIGRATE_ON_START).toBe(true);
    expect(parseEnv({ MIGRATE_ON_START: "false" }).MIGRATE_ON_START).toBe(false);
    expect(parseEnv({ MIGRATE_ON_START: "0" }).MIGRATE_ON_START).toBe(false);
    expect(() => parseEnv({ MIGRATE_ON_START: "no" })).toThrow(/MIGRATE_ON_START: true or false/);
  });
});
