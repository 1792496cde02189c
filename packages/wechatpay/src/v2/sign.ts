// WeChat Pay v2 `sign`: MD5 or HMAC-SHA256 over the canonical string (安全规范 chapter=4_3).
import { createHash, createHmac, timingSafeEqual } from "node:crypto";

import { WechatPayError } from "../shared/errors";

export type SignType = "MD5" | "HMAC-SHA256";

/** Values exactly as they appear on the wire: never numbers, never trimmed. */
export type WireFields = Record<string, string>;

export type SignableFields = Readonly<Record<string, string | number | null | undefined>>;

export const SIGN_TYPES: readonly SignType[] = ["MD5", "HMAC-SHA256"];

export function isSignType(v: unknown): v is SignType {
  return v === "MD5" || v === "HMAC-SHA256";
}

function wireValue(key: string, v: string | number): string {
  if (typeof v === "string") return v;
  // WeChat: Int fields (total_fee …) are integers; a float or NaN here is a bug upstream, not a value to sign.
  if (!Number.isSafeInteger(v)) {
    throw new WechatPayError("BAD_FIELD_VALUE", `field ${key} is not a safe integer`, {
      details: { field: key },
    });
  }
  return String(v);
}

/**
 * `k1=v1&k2=v2…` over every non-empty field except `sign`, sorted by name in ASCII order.
 * WeChat: "参数值为空不参与签名"; unknown/extension fields take part ("验证签名时必须支持增加的扩展字段");
 * values are signed raw (no URL or XML escaping). "0" is a value, not an empty one.
 */
export function canonicalString(fields: SignableFields): string {
  const keys = Object.keys(fields).sort(); // code-unit order == ASCII order for WeChat's ASCII names
  let out = "";
  for (const k of keys) {
    if (k === "sign") continue;
    const v = fields[k];
    if (v === undefined || v === null || v === "") continue;
    out += (out === "" ? "" : "&") + k + "=" + wireValue(k, v);
  }
  return out;
}

function digest(signTemp: string, key: string, signType: SignType): string {
  // WeChat: HMAC-SHA256 uses the API key both as the HMAC key and in the "&key=" suffix.
  const h = signType === "MD5" ? createHash("md5") : createHmac("sha256", key);
  return h.update(signTemp, "utf8").digest("hex").toUpperCase();
}

/** Upper-case hex signature (32 chars for MD5, 64 for HMAC-SHA256). */
export function sign(fields: SignableFields, key: string, signType: SignType): string {
  if (!isSignType(signType))
    throw new WechatPayError("BAD_SIGN_TYPE", "sign type must be MD5 or HMAC-SHA256");
  if (key === "") throw new WechatPayError("BAD_KEY", "API key is empty");
  return digest(canonicalString(fields) + "&key=" + key, key, signType);
}

export function signLength(signType: SignType): number {
  return signType === "MD5" ? 32 : 64;
}

const UPPER_HEX = /^[0-9A-F]+$/;

/**
 * True when `fields.sign` is the `signType` signature under any of `keys` (current + previous during
 * rotation). The algorithm is the caller's pinned configuration, never read from the message; a sign of
 * the wrong length for it fails. Comparison is constant-time and never throws on length mismatch.
 */
export function verifySign(
  fields: Readonly<Record<string, string>>,
  keys: readonly string[],
  signType: SignType,
): boolean {
  return matchingKeyIndex(fields, keys, signType) >= 0;
}

/**
 * Which of `keys` made `fields.sign` (its index), or -1: the same check as verifySign, telling the caller whether the
 * current key (0) or a previous one signed — a rotation is only over when nothing arrives under the old key.
 */
export function matchingKeyIndex(
  fields: Readonly<Record<string, string>>,
  keys: readonly string[],
  signType: SignType,
): number {
  if (!isSignType(signType)) return -1;
  const given = Object.hasOwn(fields, "sign") ? fields.sign : undefined;
  if (typeof given !== "string" || given.length !== signLength(signType) || !UPPER_HEX.test(given)) return -1;
  const givenBuf = Buffer.from(given, "latin1");
  const base = canonicalString(fields) + "&key=";
  let matched = -1;
  keys.forEach((key, i) => {
    if (typeof key !== "string" || key === "") return;
    const expected = Buffer.from(digest(base + key, key, signType), "latin1");
    // No early exit: every configured key is tried, so timing does not reveal which one matched.
    if (expected.length === givenBuf.length && timingSafeEqual(expected, givenBuf) && matched < 0)
      matched = i;
  });
  return matched;
}
