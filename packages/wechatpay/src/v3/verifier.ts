// Verifying what WeChat Pay signs — API answers and notifies — from the raw body bytes and the Wechatpay-*
// headers. The key is chosen by Wechatpay-Serial: the WeChat Pay public key (its id `PUB_KEY_ID_…`), a
// platform certificate (its hex serial), or either during a merchant's switch-over from certificates to
// the public key, when WeChat signs some messages with one and some with the other.
import type { KeyObject } from "node:crypto";

import {
  AUTH_SCHEME,
  certificateSerial,
  isSignatureProbe,
  loadPublicKey,
  verifySha256WithRsa,
} from "./crypto";

/** WeChat: "如果时间戳与当前时间的偏差超过5分钟，您应拒绝处理当前的响应或回调通知". */
export const MAX_CLOCK_SKEW_SECONDS = 300;

/** The WeChat Pay public key and its id, as downloaded from 商户平台 → API安全. */
export type TWechatpayPublicKey = { id: string; key: KeyObject };

/** A platform certificate, downloaded from /v3/certificates; several are valid at once during rotation. */
export type TPlatformCertificate = {
  serialNo: string;
  key: KeyObject;
  effectiveTime?: Date;
  expireTime?: Date;
  /** The PEM, kept so a cache can store it. */
  pem?: string;
};

export function wechatpayPublicKey(id: string, pem: string | Buffer | KeyObject): TWechatpayPublicKey {
  // WeChat: the id of the public key is what Wechatpay-Serial carries, e.g. PUB_KEY_ID_0114232134912410000000000000.
  if (!id.startsWith("PUB_KEY_ID_")) {
    throw new TypeError(
      `a WeChat Pay public key id starts with PUB_KEY_ID_ (got ${JSON.stringify(id.slice(0, 40))})`,
    );
  }
  return { id, key: typeof pem === "string" || Buffer.isBuffer(pem) ? loadPublicKey(pem) : pem };
}

export function platformCertificate(
  pem: string,
  times: { effectiveTime?: Date; expireTime?: Date } = {},
): TPlatformCertificate {
  return { serialNo: certificateSerial(pem), key: loadPublicKey(pem), pem, ...times };
}

/**
 * Where the verifier finds keys. A plain list is enough for the public key; a CertificateStore (./certificates)
 * is a KeySource whose contents change as certificates rotate.
 */
export type KeySource = {
  /** The key for this Wechatpay-Serial, or undefined. */
  keyFor(serial: string): KeyObject | undefined;
  /** Every serial or key id known now (for error messages and diagnostics). */
  serials(): string[];
};

export type TVerifyFailureCode =
  /** A Wechatpay-Timestamp / -Nonce / -Signature / -Serial header is absent or empty. */
  | "MISSING_HEADER"
  /** Wechatpay-Signature-Type names an algorithm other than WECHATPAY2-SHA256-RSA2048. */
  | "WRONG_ALGORITHM"
  /** Wechatpay-Timestamp is not Unix seconds. */
  | "BAD_TIMESTAMP"
  /** More than 5 minutes old or ahead. */
  | "STALE_TIMESTAMP"
  /** No configured key matches Wechatpay-Serial. */
  | "UNKNOWN_SERIAL"
  /** A WECHATPAY/SIGNTEST/ probe: WeChat checking that we verify. Refuse it like any bad signature. */
  | "SIGNATURE_PROBE"
  | "BAD_SIGNATURE"
  | "BODY_TOO_LARGE";

export type TVerifyFailure = {
  ok: false;
  code: TVerifyFailureCode;
  message: string;
  /** The Wechatpay-Serial received (for UNKNOWN_SERIAL: the serial to look for). */
  serial?: string;
  /** The missing or bad header. */
  header?: string;
};

export type TVerified = {
  ok: true;
  /** The serial or public-key id that verified the message. */
  serial: string;
  keyKind: "public-key" | "certificate";
  timestamp: number;
  nonce: string;
};

export type TVerifyResult = TVerified | TVerifyFailure;

/** Any header container: fetch `Headers`, node's IncomingHttpHeaders, or a plain record (any case). */
export type THeaderBag =
  { get(name: string): string | null } | Readonly<Record<string, string | readonly string[] | undefined>>;

export function headerValue(headers: THeaderBag, name: string): string | undefined {
  if (typeof (headers as { get?: unknown }).get === "function") {
    return (headers as { get(name: string): string | null }).get(name) ?? undefined;
  }
  const rec = headers as Readonly<Record<string, string | readonly string[] | undefined>>;
  const lower = name.toLowerCase();
  let v = rec[lower] ?? rec[name];
  if (v === undefined) {
    for (const k of Object.keys(rec)) {
      if (k.toLowerCase() === lower) {
        v = rec[k];
        break;
      }
    }
  }
  if (Array.isArray(v)) return v.length === 1 ? (v[0] as string) : undefined;
  return v as string | undefined;
}

export type TVerifierConfig = {
  /** Public-key mode, or one half of the switch-over. */
  publicKey?: TWechatpayPublicKey;
  /** Certificate mode, or the other half of the switch-over: a list, or a live CertificateStore. */
  certificates?: readonly TPlatformCertificate[] | KeySource;
  /** Seconds; default 300. */
  maxClockSkewSeconds?: number;
  /** Bodies larger than this are refused before any work; default 1 MiB. */
  maxBodyBytes?: number;
  /** Unix seconds now; injectable for tests and replays. */
  now?: () => number;
};

export type TSignedMessage = {
  headers: THeaderBag;
  /** The raw body exactly as received ("" for 204). */
  body: string | Uint8Array;
};

const DIGITS = /^[0-9]{1,12}$/;
const MAX_HEADER = 2048;

function listSource(certs: readonly TPlatformCertificate[]): KeySource {
  const map = new Map(certs.map((c) => [c.serialNo.toUpperCase(), c.key]));
  return { keyFor: (s) => map.get(s.toUpperCase()), serials: () => [...map.keys()] };
}

function isKeySource(x: unknown): x is KeySource {
  return typeof (x as KeySource).keyFor === "function";
}

/**
 * Verifies signed answers and notifies. Construct it once per merchant:
 * - public key:   `new WechatpayVerifier({ publicKey: wechatpayPublicKey(id, pem) })`
 * - certificates: `new WechatpayVerifier({ certificates: store })`
 * - switching:    both at once; each message is checked with the key its Wechatpay-Serial names.
 */
export class WechatpayVerifier {
  readonly publicKey: TWechatpayPublicKey | undefined;
  readonly certificates: KeySource | undefined;
  private readonly maxSkew: number;
  private readonly maxBodyBytes: number;
  private readonly now: () => number;

  constructor(config: TVerifierConfig) {
    if (!config.publicKey && !config.certificates) {
      throw new TypeError("a verifier needs the WeChat Pay public key, platform certificates, or both");
    }
    this.publicKey = config.publicKey;
    const certs = config.certificates;
    this.certificates = certs === undefined ? undefined : isKeySource(certs) ? certs : listSource(certs);
    this.maxSkew = config.maxClockSkewSeconds ?? MAX_CLOCK_SKEW_SECONDS;
    this.maxBodyBytes = config.maxBodyBytes ?? 1024 * 1024;
    this.now = config.now ?? (() => Math.floor(Date.now() / 1000));
  }

  /** The key for a Wechatpay-Serial, and which kind it is. */
  keyFor(serial: string): { key: KeyObject; kind: "public-key" | "certificate" } | undefined {
    if (this.publicKey && serial === this.publicKey.id)
      return { key: this.publicKey.key, kind: "public-key" };
    const cert = this.certificates?.keyFor(serial);
    return cert ? { key: cert, kind: "certificate" } : undefined;
  }

  /** What to send as the request's Wechatpay-Serial so WeChat signs the answer with a key we hold. */
  acceptSerial(): string | undefined {
    return this.publicKey?.id ?? this.certificates?.serials()[0];
  }

  knownSerials(): string[] {
    return [...(this.publicKey ? [this.publicKey.id] : []), ...(this.certificates?.serials() ?? [])];
  }

  /**
   * Checks, in order: body size, the four headers, the signature type, the timestamp window, the key for
   * Wechatpay-Serial, probes, then the signature over `timestamp\nnonce\nbody\n`. Never throws.
   */
  verify(message: TSignedMessage): TVerifyResult {
    const body = rawBytes(message?.body);
    if (body === undefined)
      return fail("BAD_SIGNATURE", "no raw body to verify (pass the bytes as received)");
    const headers = message.headers ?? {};
    if (body.byteLength > this.maxBodyBytes) {
      return fail("BODY_TOO_LARGE", `body is larger than ${this.maxBodyBytes} bytes`);
    }
    const get = (name: string): string | undefined => {
      const v = headerValue(headers, name);
      return v === undefined || v === "" || v.length > MAX_HEADER ? undefined : v;
    };
    const timestamp = get("Wechatpay-Timestamp");
    const nonce = get("Wechatpay-Nonce");
    const signature = get("Wechatpay-Signature");
    const serial = get("Wechatpay-Serial");
    for (const [name, v] of [
      ["Wechatpay-Timestamp", timestamp],
      ["Wechatpay-Nonce", nonce],
      ["Wechatpay-Signature", signature],
      ["Wechatpay-Serial", serial],
    ] as const) {
      if (v === undefined) return { ...fail("MISSING_HEADER", `${name} is missing`), header: name };
    }
    // WeChat and the official SDKs treat an absent Wechatpay-Signature-Type as WECHATPAY2-SHA256-RSA2048.
    const type = headerValue(headers, "Wechatpay-Signature-Type");
    if (type !== undefined && type !== "" && type !== AUTH_SCHEME) {
      return {
        ...fail("WRONG_ALGORITHM", `Wechatpay-Signature-Type ${type.slice(0, 64)} is not ${AUTH_SCHEME}`),
        header: "Wechatpay-Signature-Type",
      };
    }
    if (!DIGITS.test(timestamp as string)) {
      return {
        ...fail("BAD_TIMESTAMP", "Wechatpay-Timestamp is not Unix seconds"),
        header: "Wechatpay-Timestamp",
      };
    }
    const ts = Number(timestamp);
    const skew = this.now() - ts;
    if (Math.abs(skew) > this.maxSkew) {
      return {
        ...fail(
          "STALE_TIMESTAMP",
          `Wechatpay-Timestamp is ${skew > 0 ? skew : -skew} s ${skew > 0 ? "old" : "ahead"}`,
        ),
        header: "Wechatpay-Timestamp",
      };
    }
    const found = this.keyFor(serial as string);
    if (!found) {
      const s = (serial as string).slice(0, 128);
      return {
        ...fail(
          "UNKNOWN_SERIAL",
          s.startsWith("PUB_KEY_ID_")
            ? `signed with WeChat Pay public key ${s}, which is not configured (a merchant switching to the public key needs it)`
            : `no WeChat Pay public key or platform certificate with serial ${s}`,
        ),
        serial: s,
      };
    }
    if (isSignatureProbe(signature as string)) {
      return {
        ...fail("SIGNATURE_PROBE", "a WECHATPAY/SIGNTEST/ probe signature"),
        serial: serial as string,
      };
    }
    const signed = [`${timestamp as string}\n${nonce as string}\n`, body, "\n"];
    if (!verifySha256WithRsa(found.key, signed, signature as string)) {
      return {
        ...fail("BAD_SIGNATURE", `signature does not verify with ${serial as string}`),
        serial: serial as string,
      };
    }
    return { ok: true, serial: serial as string, keyKind: found.kind, timestamp: ts, nonce: nonce as string };
  }
}

/** The body as bytes: a string is taken as its UTF-8 bytes; anything else (a parsed object) is refused. */
export function rawBytes(body: unknown): Uint8Array | undefined {
  if (typeof body === "string") return Buffer.from(body, "utf8");
  return body instanceof Uint8Array ? body : undefined;
}

function fail(code: TVerifyFailureCode, message: string): TVerifyFailure {
  return { ok: false, code, message };
}
