import { generateKeyPairSync } from "node:crypto";

import fc from "fast-check";
import { describe, expect, it } from "vitest";

import {
  AeadError,
  buildAuthorization,
  buildRequestMessage,
  buildResponseMessage,
  certificateSerial,
  decryptAeadAesGcm,
  encryptAeadAesGcm,
  KeyError,
  loadPrivateKey,
  loadPublicKey,
  OaepError,
  parseAuthorization,
  rsaOaepDecrypt,
  rsaOaepEncrypt,
  signSha256WithRsa,
  verifySha256WithRsa,
} from "@wxpay/wechatpay/v3";

import { ref, str, v3, vector } from "./vectors";

const goKey = ref("keys.go_test_rsa_2048.private_key_pem");
const goPublic = ref("keys.go_test_rsa_2048.public_key_pem");
const javaMerchantKey = ref("keys.java_merchant.private_key_pem");
const javaMerchantCert = ref("keys.java_merchant.certificate_pem");
const javaWechatPublic = ref("keys.java_wechatpay_side.public_key_pem");

describe("request signing vectors", () => {
  it("go_sha256withrsa_sign_source: SHA256withRSA over 'source' gives the Go SDK's signature", () => {
    const v = vector("request_signing", "go_sha256withrsa_sign_source");
    expect(signSha256WithRsa(goKey, str(v.inputs, "message"))).toBe(str(v.expected, "signature"));
  });

  it("official_jsapi_prepay_request_signature: the documented 5-line message signs to the documented value", () => {
    const v = vector("request_signing", "official_jsapi_prepay_request_signature");
    const i = v.inputs;
    const message = buildRequestMessage({
      method: str(i, "method"),
      url: str(i, "url"),
      timestamp: str(i, "timestamp"),
      nonce: str(i, "nonce"),
      body: str(i, "body"),
    });
    const derived = v["derived"] as Record<string, string>;
    expect(message).toBe(derived["message"]);
    const signature = signSha256WithRsa(ref(str(i, "private_key")), message);
    expect(signature).toBe(str(v.expected, "signature"));
    const header = buildAuthorization({
      mchid: str(i, "mchid"),
      serialNo: str(i, "serial_no"),
      nonce: str(i, "nonce"),
      timestamp: str(i, "timestamp"),
      signature,
    });
    expect(header).toBe(derived["authorization"]);
    expect(parseAuthorization(header)).toEqual({
      ok: true,
      value: {
        mchid: "1900007291",
        serialNo: "408B07E79B8269FEC3D5D3E6AB8ED163A6A380DB",
        nonce: "593BEC0C930BF1AFEB40B4A08C8FB242",
        timestamp: "1554208460",
        signature,
      },
    });
  });

  it("a GET has an empty fifth line that still ends in a newline", () => {
    expect(buildRequestMessage({ method: "GET", url: "/v3/certificates", timestamp: 1, nonce: "n" })).toBe(
      "GET\n/v3/certificates\n1\nn\n\n",
    );
  });
});

describe("signature verification vectors", () => {
  it("go_verify_with_platform_certificate: valid for 'source', invalid for 'wrong source'", () => {
    const v = vector("signature_verification", "go_verify_with_platform_certificate");
    const cert = ref(str(v.inputs, "certificate"));
    expect(certificateSerial(cert)).toBe(str(v.inputs, "serial"));
    expect(verifySha256WithRsa(cert, "source", str(v.inputs, "signature"))).toBe(true);
    expect(verifySha256WithRsa(cert, "wrong source", str(v.inputs, "signature"))).toBe(false);
    expect(verifySha256WithRsa(cert, "source", "invalid base64 signature")).toBe(false);
    expect(verifySha256WithRsa(cert, "source", "")).toBe(false);
  });

  it("go_verify_with_wechatpay_public_key: the SPKI public key verifies the same signature", () => {
    const v = vector("signature_verification", "go_verify_with_wechatpay_public_key");
    expect(verifySha256WithRsa(loadPublicKey(goPublic), "source", str(v.inputs, "signature"))).toBe(true);
  });

  it("java_rsa_sign_message: the merchant certificate verifies, the WeChat-side key does not", () => {
    const v = vector("signature_verification", "java_rsa_sign_message");
    const signature = str(v.inputs, "signature");
    expect(signSha256WithRsa(javaMerchantKey, "message")).toBe(signature);
    expect(verifySha256WithRsa(javaMerchantCert, "message", signature)).toBe(true);
    expect(verifySha256WithRsa(javaWechatPublic, "message", signature)).toBe(false);
  });

  it("certificate serials are upper-case hex, as WeChat writes serial_no", () => {
    expect(certificateSerial(javaMerchantCert)).toBe("5F1C72E2A8931B72A2E13AF8DEE92471EB397115");
    expect(certificateSerial(ref("keys.java_wechatpay_side.certificate_pem"))).toBe(
      "440024045C4A427599D09BB4E3DE0279F2E813FD",
    );
  });
});

describe("the notify vector (go_notify_payscore_user_open_service)", () => {
  const v = vector("notifications", "go_notify_payscore_user_open_service");
  const headers = v.inputs["headers"] as Record<string, string>;
  const body = str(v.inputs, "body");

  it("verifies over timestamp, nonce and the raw body with the D7CE59D1F522D701 certificate", () => {
    const message = buildResponseMessage({
      timestamp: headers["Wechatpay-Timestamp"] ?? "",
      nonce: headers["Wechatpay-Nonce"] ?? "",
      body,
    });
    expect(message).toBe((v["derived"] as Record<string, string>)["message_to_verify"]);
    const cert = ref(str(v.inputs, "platform_certificate"));
    expect(certificateSerial(cert)).toBe(headers["Wechatpay-Serial"]);
    expect(verifySha256WithRsa(cert, message, headers["Wechatpay-Signature"] ?? "")).toBe(true);
  });

  it("decrypts its resource with the 16-byte test key (AES-128-GCM)", () => {
    const resource = (JSON.parse(body) as { resource: Record<string, string> }).resource;
    const plain = decryptAeadAesGcm({
      key: str(v.inputs, "apiv3_key"),
      nonce: resource["nonce"] ?? "",
      associatedData: resource["associated_data"] ?? "",
      ciphertext: resource["ciphertext"] ?? "",
    });
    expect(plain.toString("utf8")).toBe(str(v.expected, "plaintext"));
  });
});

describe("AES-GCM vectors", () => {
  it("go_utils_decrypt_hello_world decrypts, and each negative case is a typed AeadError", () => {
    const v = vector("aes_gcm", "go_utils_decrypt_hello_world");
    const base = {
      key: str(v.inputs, "key"),
      nonce: str(v.inputs, "nonce"),
      associatedData: str(v.inputs, "associated_data"),
      ciphertext: str(v.inputs, "ciphertext"),
    };
    expect(decryptAeadAesGcm(base).toString()).toBe("Hello World");
    const fails = (change: Partial<typeof base>, code: string): void => {
      let caught: unknown;
      try {
        decryptAeadAesGcm({ ...base, ...change });
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(AeadError);
      expect((caught as AeadError).code).toBe(code);
    };
    fails({ ciphertext: "invalid cipher" }, "AEAD_BAD_INPUT");
    fails({ ciphertext: "SGVsbG8gV29ybGQK" }, "AEAD_BAD_TAG");
    fails({ key: "not a aes key" }, "AEAD_BAD_KEY");
    fails({ key: "testAPIv3Key1111" }, "AEAD_BAD_TAG");
  });

  it("java_aead_aes_cipher_message: AES-256 encryption reproduces the SDK's ciphertext and decrypts back", () => {
    const v = vector("aes_gcm", "java_aead_aes_cipher_message");
    const input = {
      key: str(v.inputs, "key"),
      nonce: str(v.inputs, "nonce"),
      associatedData: str(v.inputs, "associated_data"),
    };
    const ciphertext = encryptAeadAesGcm({ ...input, plaintext: str(v.inputs, "plaintext") });
    expect(ciphertext).toBe(str(v.expected, "ciphertext"));
    expect(decryptAeadAesGcm({ ...input, ciphertext }).toString()).toBe("message");
    expect(() => decryptAeadAesGcm({ ...input, associatedData: "bad-associatedData", ciphertext })).toThrow(
      AeadError,
    );
    expect(() => decryptAeadAesGcm({ ...input, nonce: "bad-4a9R25RW", ciphertext })).toThrow(AeadError);
    const zeros = Buffer.alloc(128).toString("base64");
    expect(() => decryptAeadAesGcm({ ...input, ciphertext: zeros })).toThrow(AeadError);
  });

  it("java_download_certificate_response: the certificate inside decrypts with AAD 'certificate'", () => {
    const v = vector("platform_certificate_download", "java_download_certificate_response");
    const data = (
      JSON.parse(str(v.inputs, "response_body")) as {
        data: { encrypt_certificate: Record<string, string> }[];
      }
    ).data;
    const enc = data[0]?.encrypt_certificate ?? {};
    const pem = decryptAeadAesGcm({
      key: str(v.inputs, "apiv3_key"),
      nonce: enc["nonce"] ?? "",
      associatedData: enc["associated_data"] ?? "",
      ciphertext: enc["ciphertext"] ?? "",
    }).toString();
    expect(certificateSerial(pem)).toBe(str(v.expected, "decrypted_is_pem_certificate_with_serial"));
  });

  it("a key that is neither 16 nor 32 bytes is refused before any decryption", () => {
    expect(() => encryptAeadAesGcm({ key: "x".repeat(24), nonce: "123456789012", plaintext: "a" })).toThrow(
      /must be 32/,
    );
  });
});

describe("RSA-OAEP vectors", () => {
  it("java_rsa_privacy_decrypt: OAEP with SHA-1 gives 'plaintext'", () => {
    const v = vector("rsa_oaep", "java_rsa_privacy_decrypt");
    expect(rsaOaepDecrypt(javaMerchantKey, str(v.inputs, "ciphertext"))).toBe("plaintext");
  });

  it("go_wechat_pay_decryptor_hello_world: gives 'hello world'", () => {
    const v = vector("rsa_oaep", "go_wechat_pay_decryptor_hello_world");
    expect(rsaOaepDecrypt(goKey, str(v.inputs, "ciphertext"))).toBe("hello world");
  });

  it("encrypts for the public key so that only its private half decrypts", () => {
    const c = rsaOaepEncrypt(javaMerchantCert, "张三 6222 0000");
    expect(rsaOaepDecrypt(javaMerchantKey, c)).toBe("张三 6222 0000");
    expect(() => rsaOaepDecrypt(goKey, c)).toThrow(OaepError);
    expect(() => rsaOaepDecrypt(goKey, "not base64!")).toThrow(OaepError);
  });
});

describe("pay-sign vectors (the same SHA256withRSA over four lines)", () => {
  it("official_jsapi_paysign and official_app_sign reproduce the official values", () => {
    const jsapi = vector("pay_sign", "official_jsapi_paysign");
    const app = vector("pay_sign", "official_app_sign");
    const key = ref("keys.official_doc_test_key.private_key_pem");
    const d = (x: typeof jsapi): string => (x["derived"] as Record<string, string>)["message"] ?? "";
    expect(signSha256WithRsa(key, d(jsapi))).toBe(str(jsapi.expected, "paySign"));
    expect(signSha256WithRsa(key, d(app))).toBe(str(app.expected, "sign"));
  });
});

describe("the public-key-mode format example", () => {
  it("its message is the 3-line response message as printed on the official page", () => {
    const ex = v3.format_examples[0] as { headers: Record<string, string>; body: string } & Record<
      string,
      string
    >;
    expect(
      buildResponseMessage({
        timestamp: ex.headers["Wechatpay-Timestamp"] ?? "",
        nonce: ex.headers["Wechatpay-Nonce"] ?? "",
        body: ex.body,
      }),
    ).toBe(ex["message_as_printed_on_page"]);
  });
});

describe("verifySha256WithRsa never throws for a signature", () => {
  const key = loadPublicKey(goPublic);

  it("refuses WeChat's WECHATPAY/SIGNTEST/ probes", () => {
    expect(verifySha256WithRsa(key, "source", "WECHATPAY/SIGNTEST/" + "A".repeat(330))).toBe(false);
    expect(verifySha256WithRsa(key, "source", "WECHATPAY/SIGNTEST/abc")).toBe(false);
  });

  it("returns false for any string at all", () => {
    fc.assert(
      fc.property(fc.string(), (sig) => {
        expect(verifySha256WithRsa(key, "source", sig)).toBe(false);
      }),
    );
  });

  it("returns false for well-formed base64 of the wrong length", () => {
    expect(verifySha256WithRsa(key, "source", Buffer.alloc(255).toString("base64"))).toBe(false);
  });
});

describe("sign → verify properties", () => {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });

  it("any message signed with the private key verifies with the public key", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 300 }), (message) => {
        expect(verifySha256WithRsa(publicKey, message, signSha256WithRsa(privateKey, message))).toBe(true);
      }),
      { numRuns: 40 },
    );
  });

  it("flipping any one byte of the message or the signature is rejected", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 200 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        fc.boolean(),
        (message, at, xor, inSignature) => {
          const signature = signSha256WithRsa(privateKey, message);
          if (inSignature) {
            const sig = Buffer.from(signature, "base64");
            sig[at % sig.length] = (sig[at % sig.length] ?? 0) ^ xor;
            expect(verifySha256WithRsa(publicKey, message, sig.toString("base64"))).toBe(false);
          } else {
            const m = Buffer.from(message);
            m[at % m.length] = (m[at % m.length] ?? 0) ^ xor;
            expect(verifySha256WithRsa(publicKey, m, signature)).toBe(false);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it("GCM: any one-byte change to ciphertext or tag is AEAD_BAD_TAG", () => {
    const key = "a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb";
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 200 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (plain, at, xor) => {
          const c = Buffer.from(
            encryptAeadAesGcm({
              key,
              nonce: "uluk4a9R25RW",
              associatedData: "transaction",
              plaintext: plain,
            }),
            "base64",
          );
          c[at % c.length] = (c[at % c.length] ?? 0) ^ xor;
          expect(() =>
            decryptAeadAesGcm({
              key,
              nonce: "uluk4a9R25RW",
              associatedData: "transaction",
              ciphertext: c.toString("base64"),
            }),
          ).toThrow(expect.objectContaining({ code: "AEAD_BAD_TAG" }));
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe("parseAuthorization", () => {
  const good = buildAuthorization({ mchid: "1", serialNo: "AB", nonce: "n", timestamp: 5, signature: "s==" });

  it("accepts the pairs in any order and with a space after the commas", () => {
    const reordered =
      'WECHATPAY2-SHA256-RSA2048 signature="s==", serial_no="AB", timestamp="5", nonce_str="n", mchid="1"';
    expect(parseAuthorization(reordered)).toEqual(parseAuthorization(good));
    expect(parseAuthorization(good)).toMatchObject({ ok: true, value: { timestamp: "5", serialNo: "AB" } });
  });

  it("names what is wrong with a broken header", () => {
    expect(parseAuthorization(undefined)).toEqual({ ok: false, reason: "MISSING" });
    expect(parseAuthorization(good.replace("WECHATPAY2-SHA256-RSA2048", "WECHATPAY2-SM2-WITH-SM3"))).toEqual({
      ok: false,
      reason: "WRONG_SCHEME",
    });
    expect(parseAuthorization(good.replace(',signature="s=="', ""))).toEqual({
      ok: false,
      reason: "MISSING_FIELD",
      field: "signature",
    });
    expect(parseAuthorization(good + ',mchid="2"')).toEqual({
      ok: false,
      reason: "DUPLICATE_FIELD",
      field: "mchid",
    });
    expect(parseAuthorization(good + ',extra="x"')).toEqual({
      ok: false,
      reason: "UNKNOWN_FIELD",
      field: "extra",
    });
    expect(parseAuthorization(good.replace('mchid="1"', "mchid=1"))).toEqual({
      ok: false,
      reason: "MALFORMED",
    });
  });

  it("never throws, whatever the header", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (s) => {
        const r = parseAuthorization("WECHATPAY2-SHA256-RSA2048 " + s);
        expect(typeof r.ok).toBe("boolean");
      }),
    );
  });
});

describe("key loading", () => {
  it("refuses a non-RSA or short key with a typed KeyError", () => {
    const ec = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
    expect(() => loadPrivateKey(ec.privateKey.export({ type: "pkcs8", format: "pem" }) as string)).toThrow(
      KeyError,
    );
    const short = generateKeyPairSync("rsa", { modulusLength: 1024 });
    expect(() => loadPublicKey(short.publicKey.export({ type: "spki", format: "pem" }) as string)).toThrow(
      /2048/,
    );
    expect(() => loadPrivateKey("-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----\n")).toThrow(
      KeyError,
    );
  });

  it("takes a certificate PEM as a public key", () => {
    expect(loadPublicKey(javaMerchantCert).asymmetricKeyType).toBe("rsa");
  });
});
