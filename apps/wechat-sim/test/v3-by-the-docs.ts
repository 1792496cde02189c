// A WeChat Pay API v3 merchant written from WeChat's documentation with nothing but node:crypto — deliberately
// not @wxpay/wechatpay — so the simulator is judged by code that is not ours: request signing (5 lines), answer
// and notify verification (3 lines, key picked by Wechatpay-Serial), AEAD_AES_256_GCM resources.
import { createDecipheriv, createSign, createVerify, randomBytes, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";

import { SANDBOX } from "../src/defaults";

const sandbox = (file: string) => readFileSync(new URL(`../sandbox/${file}`, import.meta.url), "utf8");

/** What a merchant holds: its own key and certificate serial, WeChat's public key and (certificate mode) the platform certificate. */
export const MERCHANT = {
  mchid: SANDBOX.mchId,
  serialNo: SANDBOX.mchSerial,
  privateKey: sandbox("apiclient_key.pem"),
  apiV3Key: SANDBOX.apiV3Key,
  publicKeyId: SANDBOX.publicKeyId,
  publicKey: sandbox("pub_key.pem"),
  platformCert: sandbox("platform_cert.pem"),
};

export type V3Answer = { status: number; headers: Headers; bytes: Buffer; text: string; json: unknown };

export type SignOptions = {
  /** Unix seconds for the Authorization timestamp (default: the `now` given to the client). */
  timestamp?: number;
  /** Send no Authorization header at all. */
  unsigned?: boolean;
  /** Sign with this private key instead of the merchant's. */
  privateKey?: string;
  serialNo?: string;
  /** Sign one body but send another (a body changed in transit). */
  sendBody?: string;
  /** The request's Wechatpay-Serial header (the key the merchant can verify with). */
  wechatpaySerial?: string;
  headers?: Record<string, string>;
};

export function byTheDocsClient(baseUrl: string, nowSec: () => number) {
  async function call(
    method: string,
    pathAndQuery: string,
    body?: unknown,
    opts: SignOptions = {},
  ): Promise<V3Answer> {
    const text = body === undefined ? "" : typeof body === "string" ? body : JSON.stringify(body);
    const timestamp = String(opts.timestamp ?? nowSec());
    const nonce = randomBytes(16).toString("hex").toUpperCase();
    // 签名串: HTTP method \n URL (path + query as sent) \n timestamp \n nonce \n body \n
    const message = `${method}\n${pathAndQuery}\n${timestamp}\n${nonce}\n${text}\n`;
    const signature = createSign("RSA-SHA256")
      .update(message)
      .sign(opts.privateKey ?? MERCHANT.privateKey, "base64");
    const headers: Record<string, string> = {
      Accept: "application/json",
      "User-Agent": "by-the-docs/1.0",
      ...(method === "POST" ? { "Content-Type": "application/json" } : {}),
      ...(opts.wechatpaySerial ? { "Wechatpay-Serial": opts.wechatpaySerial } : {}),
      ...opts.headers,
    };
    if (!opts.unsigned) {
      // "以上五项签名信息，无顺序要求" — a different order than the SDKs use.
      headers.Authorization =
        `WECHATPAY2-SHA256-RSA2048 serial_no="${opts.serialNo ?? MERCHANT.serialNo}",signature="${signature}",` +
        `timestamp="${timestamp}",mchid="${MERCHANT.mchid}",nonce_str="${nonce}"`;
    }
    const res = await fetch(`${baseUrl}${pathAndQuery}`, {
      method,
      headers,
      body: method === "POST" ? (opts.sendBody ?? text) : undefined,
    });
    const bytes = Buffer.from(await res.arrayBuffer());
    // The raw body exactly as received (a BOM included): what the signature and a bill's SHA1 are over.
    const raw = bytes.toString("utf8");
    let json: unknown;
    try {
      json = raw ? JSON.parse(raw) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, bytes, text: raw, json };
  }
  return {
    get: (pathAndQuery: string, opts?: SignOptions) => call("GET", pathAndQuery, undefined, opts),
    post: (path: string, body: unknown, opts?: SignOptions) => call("POST", path, body, opts),
  };
}

export type SignedHeaders = { timestamp: string; nonce: string; signature: string; serial: string };

export function signedHeaders(get: (name: string) => string | null | undefined): SignedHeaders {
  return {
    timestamp: get("wechatpay-timestamp") ?? "",
    nonce: get("wechatpay-nonce") ?? "",
    signature: get("wechatpay-signature") ?? "",
    serial: get("wechatpay-serial") ?? "",
  };
}

/**
 * 验签: `Wechatpay-Timestamp\nWechatpay-Nonce\nbody\n` with the key Wechatpay-Serial names — the WeChat Pay public
 * key for its PUB_KEY_ID_…, the platform certificate for its serial — and the timestamp within 5 minutes.
 */
export function verifiesByTheDocs(h: SignedHeaders, body: string, nowSec: number): boolean {
  if (!h.timestamp || !h.nonce || !h.signature || !h.serial) return false;
  if (Math.abs(nowSec - Number(h.timestamp)) > 300) return false;
  let key: string;
  if (h.serial === MERCHANT.publicKeyId) key = MERCHANT.publicKey;
  else if (h.serial === new X509Certificate(MERCHANT.platformCert).serialNumber.toUpperCase())
    key = new X509Certificate(MERCHANT.platformCert).publicKey
      .export({ type: "spki", format: "pem" })
      .toString();
  else return false;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(h.signature)) return false;
  return createVerify("RSA-SHA256")
    .update(`${h.timestamp}\n${h.nonce}\n${body}\n`)
    .verify(key, h.signature, "base64");
}

export function answerVerifies(a: V3Answer, nowSec: number): boolean {
  return verifiesByTheDocs(
    signedHeaders((n) => a.headers.get(n)),
    a.text,
    nowSec,
  );
}

/** AEAD_AES_256_GCM: key = the APIv3 key's bytes, IV = nonce's bytes, the last 16 bytes of the ciphertext are the tag. */
export function decryptByTheDocs(
  r: { ciphertext: string; nonce: string; associated_data?: string },
  apiV3Key: string = MERCHANT.apiV3Key,
): string {
  const all = Buffer.from(r.ciphertext, "base64");
  const decipher = createDecipheriv(
    "aes-256-gcm",
    Buffer.from(apiV3Key, "utf8"),
    Buffer.from(r.nonce, "utf8"),
    {
      authTagLength: 16,
    },
  );
  decipher.setAAD(Buffer.from(r.associated_data ?? "", "utf8"));
  decipher.setAuthTag(all.subarray(all.length - 16));
  return Buffer.concat([decipher.update(all.subarray(0, all.length - 16)), decipher.final()]).toString(
    "utf8",
  );
}

export type V3Notify = {
  id: string;
  create_time: string;
  event_type: string;
  resource_type: string;
  summary: string;
  resource: {
    original_type: string;
    algorithm: string;
    ciphertext: string;
    associated_data: string;
    nonce: string;
  };
};
