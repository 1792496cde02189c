import fc from "fast-check";
import { describe, expect, it } from "vitest";

import {
  CertificateStore,
  platformCertificate,
  WechatpayVerifier,
  wechatpayPublicKey,
} from "@wxpay/wechatpay/v3";

import { PUB_KEY_ID, signedHeaders, signers, wechat } from "../helpers/wechat-pay-v3-server";
import { ref, str, vector } from "./vectors";

const NOW = 1_800_000_000;
const body = '{"code_url":"weixin://wxpay/bizpayurl?pr=JyC91EIz1"}';

const publicKeyOnly = new WechatpayVerifier({
  publicKey: wechatpayPublicKey(PUB_KEY_ID, wechat.publicKeyPem),
  now: () => NOW,
});
const certificateOnly = new WechatpayVerifier({
  certificates: [platformCertificate(wechat.platformCertPem)],
  now: () => NOW,
});
const switching = new WechatpayVerifier({
  publicKey: wechatpayPublicKey(PUB_KEY_ID, wechat.publicKeyPem),
  certificates: [platformCertificate(wechat.platformCertPem)],
  now: () => NOW,
});

describe("the Go SDK's notify vector, verified by certificate serial at its fixed clock", () => {
  it("go_notify_payscore_user_open_service passes with D7CE59D1F522D701 and fails five minutes and one second later", () => {
    const v = vector("notifications", "go_notify_payscore_user_open_service");
    const headers = v.inputs["headers"] as Record<string, string>;
    const certs = [platformCertificate(ref(str(v.inputs, "platform_certificate")))];
    const at = (t: number) => new WechatpayVerifier({ certificates: certs, now: () => t });
    const clock = v["fixed_clock_unix"] as number;
    const message = { headers, body: str(v.inputs, "body") };
    expect(at(clock).verify(message)).toMatchObject({
      ok: true,
      serial: "D7CE59D1F522D701",
      keyKind: "certificate",
    });
    expect(at(clock + 300).verify(message).ok).toBe(true);
    expect(at(clock + 301).verify(message)).toMatchObject({ ok: false, code: "STALE_TIMESTAMP" });
  });

  it("go_verify_with_platform_certificate: each of the Go test's error cases is a typed failure", () => {
    const v = vector("signature_verification", "go_verify_with_platform_certificate");
    const cert = platformCertificate(ref(str(v.inputs, "certificate")));
    const goVerifier = new WechatpayVerifier({ certificates: [cert], now: () => NOW });
    const headers = {
      "Wechatpay-Timestamp": String(NOW),
      "Wechatpay-Nonce": "n",
      "Wechatpay-Serial": "F5765756002FDD77",
      "Wechatpay-Signature": str(v.inputs, "signature"),
    };
    const check = (change: Record<string, string>, body: string) =>
      goVerifier.verify({ headers: { ...headers, ...change }, body });
    expect(check({ "Wechatpay-Serial": "" }, "x")).toMatchObject({ code: "MISSING_HEADER" });
    expect(check({ "Wechatpay-Signature": "" }, "x")).toMatchObject({ code: "MISSING_HEADER" });
    expect(check({ "Wechatpay-Signature": "invalid base64 signature" }, "x")).toMatchObject({
      code: "BAD_SIGNATURE",
    });
    expect(check({ "Wechatpay-Serial": "0000000000000001" }, "x")).toMatchObject({ code: "UNKNOWN_SERIAL" });
    // The signature covers "source", not our 3-line message: it must not verify as an answer to anything.
    expect(check({}, "")).toMatchObject({ code: "BAD_SIGNATURE" });
  });

  it("go_verify_with_wechatpay_public_key: a header naming another key id is refused before the signature", () => {
    const r = publicKeyOnly.verify({
      headers: signedHeaders(
        body,
        { ...signers.publicKey, serial: "PUB_KEY_ID_0000000000000000000000000000000999" },
        {
          timestamp: NOW,
        },
      ),
      body,
    });
    expect(r).toMatchObject({
      ok: false,
      code: "UNKNOWN_SERIAL",
      serial: "PUB_KEY_ID_0000000000000000000000000000000999",
    });
  });
});

describe("choosing the key by Wechatpay-Serial", () => {
  it("a public-key merchant verifies an answer signed with the WeChat Pay public key", () => {
    const r = publicKeyOnly.verify({
      headers: signedHeaders(body, signers.publicKey, { timestamp: NOW }),
      body,
    });
    expect(r).toEqual({
      ok: true,
      serial: PUB_KEY_ID,
      keyKind: "public-key",
      timestamp: NOW,
      nonce: expect.any(String),
    });
  });

  it("a certificate merchant verifies an answer signed with its platform certificate", () => {
    const r = certificateOnly.verify({
      headers: signedHeaders(body, signers.platform, { timestamp: NOW }),
      body,
    });
    expect(r).toMatchObject({ ok: true, serial: wechat.platformSerial, keyKind: "certificate" });
  });

  it("during the switch-over, notifies signed by either key verify, each with its own key", () => {
    const a = switching.verify({ headers: signedHeaders(body, signers.publicKey, { timestamp: NOW }), body });
    const b = switching.verify({ headers: signedHeaders(body, signers.platform, { timestamp: NOW }), body });
    expect([a.ok && a.keyKind, b.ok && b.keyKind]).toEqual(["public-key", "certificate"]);
  });

  it("a signature by the platform key under the public-key id does not verify (the key follows the serial)", () => {
    const forged = { serial: PUB_KEY_ID, key: wechat.platformPrivate };
    expect(
      switching.verify({ headers: signedHeaders(body, forged, { timestamp: NOW }), body }),
    ).toMatchObject({
      ok: false,
      code: "BAD_SIGNATURE",
    });
  });

  it("an unknown serial is a typed failure that names the serial", () => {
    const r = publicKeyOnly.verify({
      headers: signedHeaders(body, signers.platform, { timestamp: NOW }),
      body,
    });
    expect(r).toMatchObject({ ok: false, code: "UNKNOWN_SERIAL", serial: wechat.platformSerial });
    expect(r.ok ? "" : r.message).toContain(wechat.platformSerial);
  });

  it("a certificate merchant receiving a public-key signature (the switch-over began) is told which key to add", () => {
    const r = certificateOnly.verify({
      headers: signedHeaders(body, signers.publicKey, { timestamp: NOW }),
      body,
    });
    expect(r).toMatchObject({ ok: false, code: "UNKNOWN_SERIAL", serial: PUB_KEY_ID });
    expect(r.ok ? "" : r.message).toMatch(/public key PUB_KEY_ID_\w+, which is not configured/);
  });

  it("a certificate serial is matched whatever its hex case", () => {
    const lower = { ...signers.platform, serial: wechat.platformSerial.toLowerCase() };
    expect(certificateOnly.verify({ headers: signedHeaders(body, lower, { timestamp: NOW }), body }).ok).toBe(
      true,
    );
  });

  it("a verifier with no key at all cannot be built", () => {
    expect(() => new WechatpayVerifier({})).toThrow(/public key, platform certificates, or both/);
  });
});

describe("hostile and broken messages are typed failures, never throws", () => {
  const good = signedHeaders(body, signers.publicKey, { timestamp: NOW });

  it.each([["Wechatpay-Timestamp"], ["Wechatpay-Nonce"], ["Wechatpay-Signature"], ["Wechatpay-Serial"]])(
    "without %s it is MISSING_HEADER naming the header",
    (name) => {
      const headers: Record<string, string> = { ...good };
      delete headers[name];
      expect(publicKeyOnly.verify({ headers, body })).toMatchObject({
        ok: false,
        code: "MISSING_HEADER",
        header: name,
      });
    },
  );

  it("a stale or a future timestamp beyond five minutes is STALE_TIMESTAMP", () => {
    for (const t of [NOW - 301, NOW + 301, 0]) {
      const r = publicKeyOnly.verify({
        headers: signedHeaders(body, signers.publicKey, { timestamp: t }),
        body,
      });
      expect(r).toMatchObject({ ok: false, code: "STALE_TIMESTAMP" });
    }
  });

  it("milliseconds or text in Wechatpay-Timestamp are BAD_TIMESTAMP", () => {
    for (const t of ["1800000000000", "18e8", "-1", " 1800000000"]) {
      expect(publicKeyOnly.verify({ headers: { ...good, "Wechatpay-Timestamp": t }, body })).toMatchObject({
        ok: false,
        code: "BAD_TIMESTAMP",
      });
    }
  });

  it("another signature algorithm is WRONG_ALGORITHM", () => {
    const headers = { ...good, "Wechatpay-Signature-Type": "WECHATPAY2-SM2-WITH-SM3" };
    expect(publicKeyOnly.verify({ headers, body })).toMatchObject({ ok: false, code: "WRONG_ALGORITHM" });
  });

  it("a WECHATPAY/SIGNTEST/ probe is recognised and refused", () => {
    const headers = { ...good, "Wechatpay-Signature": "WECHATPAY/SIGNTEST/" + good["Wechatpay-Signature"] };
    expect(publicKeyOnly.verify({ headers, body })).toMatchObject({ ok: false, code: "SIGNATURE_PROBE" });
  });

  it("an oversized body is refused before any work", () => {
    const small = new WechatpayVerifier({
      publicKey: wechatpayPublicKey(PUB_KEY_ID, wechat.publicKeyPem),
      maxBodyBytes: 10,
      now: () => NOW,
    });
    expect(small.verify({ headers: good, body })).toMatchObject({ ok: false, code: "BODY_TOO_LARGE" });
  });

  it("headers are found in any case, in fetch Headers and node's lower-case records alike", () => {
    const lower = Object.fromEntries(Object.entries(good).map(([k, v]) => [k.toLowerCase(), v]));
    expect(publicKeyOnly.verify({ headers: lower, body }).ok).toBe(true);
    expect(publicKeyOnly.verify({ headers: new Headers(good), body }).ok).toBe(true);
  });

  it("changing any one byte of the body is BAD_SIGNATURE", () => {
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 1, max: 255 }), (at, xor) => {
        const bytes = Buffer.from(body);
        bytes[at % bytes.length] = (bytes[at % bytes.length] ?? 0) ^ xor;
        expect(publicKeyOnly.verify({ headers: good, body: bytes })).toMatchObject({
          ok: false,
          code: "BAD_SIGNATURE",
        });
      }),
      { numRuns: 60 },
    );
  });

  it("arbitrary header values never make it throw", () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.constantFrom(
            "Wechatpay-Timestamp",
            "Wechatpay-Nonce",
            "Wechatpay-Signature",
            "Wechatpay-Serial",
            "Wechatpay-Signature-Type",
          ),
          fc.string({ maxLength: 400 }),
        ),
        fc.uint8Array({ maxLength: 300 }),
        (headers, bytes) => {
          const r = switching.verify({ headers: { ...good, ...headers }, body: bytes });
          expect(typeof r.ok).toBe("boolean");
        },
      ),
      { numRuns: 200 },
    );
  });

  it("a verified 204 answer is signed over an empty body line", () => {
    expect(
      publicKeyOnly.verify({ headers: signedHeaders("", signers.publicKey, { timestamp: NOW }), body: "" })
        .ok,
    ).toBe(true);
  });
});

describe("CertificateStore", () => {
  const cert = (effective: string, expire: string) =>
    platformCertificate(wechat.platformCertPem, {
      effectiveTime: new Date(effective),
      expireTime: new Date(expire),
    });

  it("keeps several certificates, picks the newest in force for encryption, and forgets expired ones", () => {
    const old = cert("2024-01-01T00:00:00Z", "2029-01-01T00:00:00Z");
    const go = { ...platformCertificate(ref("keys.go_test_rsa_2048.certificates.F5765756002FDD77")) };
    go.effectiveTime = new Date("2026-06-01T00:00:00Z");
    go.expireTime = new Date("2031-06-01T00:00:00Z");
    const store = new CertificateStore([old, go], { now: () => Date.parse("2026-11-29T00:00:00Z") });
    expect(store.serials()).toEqual(["F5765756002FDD77", wechat.platformSerial]);
    expect(store.newest()?.serialNo).toBe("F5765756002FDD77");
    const later = new CertificateStore([old, go], { now: () => Date.parse("2030-01-01T00:00:00Z") });
    expect(later.serials()).toEqual(["F5765756002FDD77"]);
    expect(later.keyFor(wechat.platformSerial)).toBeUndefined();
  });

  it("refreshes on an unknown serial at most once a minute and says when there are no certificates", async () => {
    let downloads = 0;
    const t = 1_000_000;
    const store = new CertificateStore([], {
      download: () => {
        downloads += 1;
        return Promise.resolve({ kind: "none" as const, message: "无可用的平台证书" });
      },
      now: () => t,
    });
    expect(await store.refresh()).toEqual({
      ok: false,
      reason: "NO_PLATFORM_CERTIFICATES",
      message: "无可用的平台证书",
    });
    expect(await store.refreshFor("ABCDEF")).toBe(false);
    expect(downloads).toBe(1);
  });
});
