// The cryptographic primitives of WeChat Pay API v3: the signed messages, SHA256withRSA, the Authorization
// header, AEAD_AES_256_GCM resources and RSA-OAEP sensitive fields. Pure functions over node:crypto; the
// verifier, notify parser and client build on them, and so can a simulator of the other side.
import {
  constants,
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  createPublicKey,
  createSign,
  createVerify,
  KeyObject,
  privateDecrypt,
  publicEncrypt,
  X509Certificate,
} from "node:crypto";

import { WechatPayError } from "../shared/errors";

/** WeChat: the only signature scheme of API v3 ("WECHATPAY2-SHA256-RSA2048"). */
export const AUTH_SCHEME = "WECHATPAY2-SHA256-RSA2048";

/** Standard-alphabet base64 with padding (what WeChat and node emit); with length % 4 === 0 this is strict. */
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export function isStrictBase64(s: string): boolean {
  return s.length > 0 && s.length % 4 === 0 && BASE64.test(s);
}

type Bytes = string | Uint8Array;

function toBuffer(b: Bytes): Buffer {
  return typeof b === "string" ? Buffer.from(b, "utf8") : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

// ---------------------------------------------------------------------------------------------------------
// Messages

export type RequestMessageInput = {
  /** Upper-case HTTP method, e.g. "POST". */
  method: string;
  /** WeChat: the absolute path plus "?" + query exactly as sent (URL-encoded), no scheme or host. */
  url: string;
  /** Unix seconds (WeChat: seconds, not milliseconds). */
  timestamp: string | number;
  nonce: string;
  /** The exact body sent; "" (or omitted) for GET. */
  body?: string;
};

/** WeChat: five lines, each ending in "\n" — the last one too, even when the body is empty. */
export function buildRequestMessage(m: RequestMessageInput): string {
  return `${m.method}\n${m.url}\n${String(m.timestamp)}\n${m.nonce}\n${m.body ?? ""}\n`;
}

export type ResponseMessageInput = {
  timestamp: string | number;
  nonce: string;
  /** The raw body as received; "" for 204 No Content. */
  body?: string;
};

/** WeChat: three lines (Wechatpay-Timestamp, Wechatpay-Nonce, raw body), each ending in "\n". */
export function buildResponseMessage(m: ResponseMessageInput): string {
  return `${String(m.timestamp)}\n${m.nonce}\n${m.body ?? ""}\n`;
}

/**
 * The same three lines over the raw body bytes, so a body that is not valid UTF-8 is verified exactly as
 * it arrived (WeChat: "请使用原始报文主体执行验签").
 */
export function buildResponseMessageBytes(timestamp: string, nonce: string, body: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from(`${timestamp}\n${nonce}\n`, "utf8"), toBuffer(body), Buffer.from("\n")]);
}

// ---------------------------------------------------------------------------------------------------------
// Keys

/** A key that cannot be loaded or is not what WeChat uses (RSA, at least 2048 bits). */
export class KeyError extends WechatPayError {
  constructor(message: string, cause?: unknown) {
    super("BAD_KEY", message, {
      remedy:
        "fix config: use the PEM file WeChat Pay issued (PKCS#8 private key, SPKI public key or certificate)",
      ...(cause === undefined ? {} : { cause }),
    });
  }
}

function checkRsa(key: KeyObject, what: string): KeyObject {
  if (key.asymmetricKeyType !== "rsa") throw new KeyError(`${what} is not an RSA key`);
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  // WeChat: the scheme is RSA2048; smaller keys are never issued and never accepted.
  if (bits < 2048) throw new KeyError(`${what} is ${bits}-bit RSA; WeChat Pay keys are 2048-bit`);
  return key;
}

/** The merchant API private key (`apiclient_key.pem`, PKCS#8; PKCS#1 is accepted too). */
export function loadPrivateKey(pem: string | Buffer): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (cause) {
    throw new KeyError("private key does not parse as PEM", cause);
  }
  return checkRsa(key, "private key");
}

/** The WeChat Pay public key (`pub_key.pem`, SPKI), or the public key inside a certificate PEM. */
export function loadPublicKey(pem: string | Buffer): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch (cause) {
    throw new KeyError("public key does not parse as PEM", cause);
  }
  return checkRsa(key, "public key");
}

function privateKeyOf(k: KeyObject | string): KeyObject {
  if (k instanceof KeyObject) {
    if (k.type !== "private") throw new KeyError("a private key is needed here");
    return k;
  }
  return loadPrivateKey(k);
}

function publicKeyOf(k: KeyObject | string): KeyObject {
  if (k instanceof KeyObject) return k.type === "private" ? createPublicKey(k) : k;
  return loadPublicKey(k);
}

/**
 * A certificate's serial as WeChat writes it (`serial_no`, `Wechatpay-Serial`): upper-case hex of the
 * serial's bytes, e.g. "5F1C72E2A8931B72A2E13AF8DEE92471EB397115".
 */
export function certificateSerial(certPem: string | Buffer): string {
  try {
    return new X509Certificate(certPem).serialNumber.toUpperCase();
  } catch (cause) {
    throw new KeyError("certificate does not parse as PEM", cause);
  }
}

// ---------------------------------------------------------------------------------------------------------
// SHA256withRSA

/** base64(RSASSA-PKCS1-v1_5 SHA-256) — WeChat's "SHA256 with RSA". */
export function signSha256WithRsa(privateKey: KeyObject | string, message: Bytes): string {
  return createSign("RSA-SHA256").update(toBuffer(message)).sign(privateKeyOf(privateKey), "base64");
}

/**
 * True only for a valid signature. Never throws for the signature: garbage, the wrong length, non-base64
 * and WeChat's `WECHATPAY/SIGNTEST/` probes all return false. (An unusable key is a config error and throws
 * KeyError.)
 */
export function verifySha256WithRsa(
  publicKey: KeyObject | string,
  message: Bytes | readonly Bytes[],
  signature: string,
): boolean {
  const key = publicKeyOf(publicKey);
  if (typeof signature !== "string" || !isStrictBase64(signature)) return false;
  const sig = Buffer.from(signature, "base64");
  const bytes = (key.asymmetricKeyDetails?.modulusLength ?? 0) / 8;
  if (sig.length !== bytes) return false;
  try {
    const v = createVerify("RSA-SHA256");
    // A message may come in parts (head, raw body, tail), hashed in order without being copied together.
    if (Array.isArray(message)) for (const part of message as readonly Bytes[]) v.update(toBuffer(part));
    else v.update(toBuffer(message as Bytes));
    return v.verify(key, sig);
  } catch {
    return false;
  }
}

/** WeChat: probe signatures start with this; they must fail verification like any bad signature. */
export const SIGNATURE_PROBE_PREFIX = "WECHATPAY/SIGNTEST/";

export function isSignatureProbe(signature: string): boolean {
  return typeof signature === "string" && signature.startsWith(SIGNATURE_PROBE_PREFIX);
}

// ---------------------------------------------------------------------------------------------------------
// Authorization header

export type AuthorizationFields = {
  mchid: string;
  /** The merchant API certificate serial (not the platform serial). */
  serialNo: string;
  nonce: string;
  timestamp: string | number;
  signature: string;
};

export type ParsedAuthorization = {
  mchid: string;
  serialNo: string;
  nonce: string;
  /** Exactly as sent, so it can rebuild the signed message byte for byte. */
  timestamp: string;
  signature: string;
};

export type AuthorizationParseFailure =
  "MISSING" | "WRONG_SCHEME" | "MALFORMED" | "DUPLICATE_FIELD" | "UNKNOWN_FIELD" | "MISSING_FIELD";

export type AuthorizationParseResult =
  { ok: true; value: ParsedAuthorization } | { ok: false; reason: AuthorizationParseFailure; field?: string };

/** `WECHATPAY2-SHA256-RSA2048 mchid="…",nonce_str="…",timestamp="…",serial_no="…",signature="…"` (one line). */
export function buildAuthorization(a: AuthorizationFields): string {
  return (
    `${AUTH_SCHEME} mchid="${a.mchid}",nonce_str="${a.nonce}",timestamp="${String(a.timestamp)}",` +
    `serial_no="${a.serialNo}",signature="${a.signature}"`
  );
}

const AUTH_FIELDS = {
  mchid: "mchid",
  nonce_str: "nonce",
  timestamp: "timestamp",
  serial_no: "serialNo",
  signature: "signature",
} as const;
type WireAuthField = keyof typeof AUTH_FIELDS;
const AUTH_PAIR = /^\s*([a-z_]+)="([^"]*)"\s*$/;
const MAX_AUTHORIZATION = 4096;

/** WeChat: five `key="value"` pairs after the scheme and one space, "无顺序要求" (any order). */
export function parseAuthorization(header: string | undefined | null): AuthorizationParseResult {
  if (typeof header !== "string" || header === "") return { ok: false, reason: "MISSING" };
  if (header.length > MAX_AUTHORIZATION) return { ok: false, reason: "MALFORMED" };
  const space = header.indexOf(" ");
  if (space < 0 || header.slice(0, space) !== AUTH_SCHEME) return { ok: false, reason: "WRONG_SCHEME" };
  const out: Partial<Record<keyof ParsedAuthorization, string>> = {};
  for (const part of header.slice(space + 1).split(",")) {
    const m = AUTH_PAIR.exec(part);
    if (!m) return { ok: false, reason: "MALFORMED" };
    const wire = m[1] as string;
    if (!Object.hasOwn(AUTH_FIELDS, wire)) return { ok: false, reason: "UNKNOWN_FIELD", field: wire };
    const name = AUTH_FIELDS[wire as WireAuthField];
    if (out[name] !== undefined) return { ok: false, reason: "DUPLICATE_FIELD", field: wire };
    out[name] = m[2] as string;
  }
  for (const [wire, name] of Object.entries(AUTH_FIELDS)) {
    if (!out[name]) return { ok: false, reason: "MISSING_FIELD", field: wire };
  }
  return { ok: true, value: out as ParsedAuthorization };
}

// ---------------------------------------------------------------------------------------------------------
// AEAD_AES_256_GCM

export type AeadErrorCode = "AEAD_BAD_KEY" | "AEAD_BAD_INPUT" | "AEAD_BAD_TAG";

/** The resource did not decrypt: a wrong APIv3 key, a tampered ciphertext, nonce or associated data. */
export class AeadError extends WechatPayError {
  declare readonly code: AeadErrorCode;
  constructor(code: AeadErrorCode, message: string, cause?: unknown) {
    super(code, message, {
      remedy:
        code === "AEAD_BAD_KEY"
          ? "fix config: the APIv3 key is the 32-character string set in 商户平台 → API安全"
          : code === "AEAD_BAD_TAG"
            ? "fix config if every resource fails (wrong APIv3 key); otherwise refuse this message"
            : "stop: refuse this message",
      ...(cause === undefined ? {} : { cause }),
    });
  }
}

/** GCM tag length: WeChat appends a 16-byte tag to the ciphertext. */
const TAG_BYTES = 16;
/** WeChat: resource.nonce is a 12-character string. */
const NONCE_BYTES = 12;
const MAX_CIPHERTEXT_B64 = 1024 * 1024;

function gcmCipher(key: Bytes): { name: "aes-256-gcm" | "aes-128-gcm"; key: Buffer } {
  const k = toBuffer(key);
  // WeChat: the APIv3 key string is the key, as raw bytes (never hex- or base64-decoded). Production keys
  // are 32 bytes (AES-256); the SDKs' 16-byte test keys select AES-128, as Go's aes.NewCipher does.
  if (k.length === 32) return { name: "aes-256-gcm", key: k };
  if (k.length === 16) return { name: "aes-128-gcm", key: k };
  throw new AeadError("AEAD_BAD_KEY", `APIv3 key is ${k.length} bytes; it must be 32`);
}

function gcmNonce(nonce: Bytes): Buffer {
  const n = toBuffer(nonce);
  if (n.length !== NONCE_BYTES) throw new AeadError("AEAD_BAD_INPUT", `nonce is ${n.length} bytes, not 12`);
  return n;
}

export type AeadEncryptInput = {
  key: Bytes;
  nonce: Bytes;
  associatedData?: Bytes;
  plaintext: Bytes;
};

/** base64(ciphertext ‖ 16-byte tag), exactly as WeChat sends `resource.ciphertext`. */
export function encryptAeadAesGcm(i: AeadEncryptInput): string {
  const { name, key } = gcmCipher(i.key);
  const c = createCipheriv(name, key, gcmNonce(i.nonce), { authTagLength: TAG_BYTES });
  c.setAAD(toBuffer(i.associatedData ?? ""));
  const body = Buffer.concat([c.update(toBuffer(i.plaintext)), c.final()]);
  return Buffer.concat([body, c.getAuthTag()]).toString("base64");
}

export type AeadDecryptInput = {
  key: Bytes;
  nonce: Bytes;
  /** May be "" (the official examples) — never required to be non-empty. */
  associatedData?: Bytes;
  ciphertext: string;
};

/** Decrypts a resource; throws AeadError (AEAD_BAD_TAG when authentication fails) and nothing else. */
export function decryptAeadAesGcm(i: AeadDecryptInput): Buffer {
  const { name, key } = gcmCipher(i.key);
  const nonce = gcmNonce(i.nonce);
  if (
    typeof i.ciphertext !== "string" ||
    i.ciphertext.length > MAX_CIPHERTEXT_B64 ||
    !isStrictBase64(i.ciphertext)
  ) {
    throw new AeadError("AEAD_BAD_INPUT", "ciphertext is not base64");
  }
  const all = Buffer.from(i.ciphertext, "base64");
  // Too short to carry its tag: it cannot authenticate (the Go SDK reports this as an authentication failure).
  if (all.length < TAG_BYTES) throw new AeadError("AEAD_BAD_TAG", "ciphertext is shorter than its tag");
  try {
    const d = createDecipheriv(name, key, nonce, { authTagLength: TAG_BYTES });
    d.setAAD(toBuffer(i.associatedData ?? ""));
    d.setAuthTag(all.subarray(all.length - TAG_BYTES));
    return Buffer.concat([d.update(all.subarray(0, all.length - TAG_BYTES)), d.final()]);
  } catch (cause) {
    throw new AeadError("AEAD_BAD_TAG", "resource does not authenticate with this APIv3 key", cause);
  }
}

// ---------------------------------------------------------------------------------------------------------
// RSA-OAEP (sensitive fields)

/** A sensitive field that does not decrypt with the merchant private key. */
export class OaepError extends WechatPayError {
  constructor(message: string, cause?: unknown) {
    super("OAEP_DECRYPT_FAILED", message, {
      remedy: "stop: the field was not encrypted for this merchant key",
      ...(cause === undefined ? {} : { cause }),
    });
  }
}

/**
 * base64(RSAES-OAEP, SHA-1 hash and MGF1-SHA-1, empty label) with the WeChat Pay public key or the newest
 * platform certificate; the request then names that key in `Wechatpay-Serial`.
 */
export function rsaOaepEncrypt(publicKey: KeyObject | string, plaintext: string): string {
  return publicEncrypt(
    { key: publicKeyOf(publicKey), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha1" },
    Buffer.from(plaintext, "utf8"),
  ).toString("base64");
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Decrypts a field WeChat encrypted with the merchant certificate; throws OaepError on anything else. */
export function rsaOaepDecrypt(privateKey: KeyObject | string, ciphertextB64: string): string {
  const key = privateKeyOf(privateKey);
  if (typeof ciphertextB64 !== "string" || !isStrictBase64(ciphertextB64)) {
    throw new OaepError("ciphertext is not base64");
  }
  try {
    const plain = privateDecrypt(
      { key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha1" },
      Buffer.from(ciphertextB64, "base64"),
    );
    return utf8.decode(plain);
  } catch (cause) {
    throw new OaepError("ciphertext does not decrypt with this private key", cause);
  }
}
