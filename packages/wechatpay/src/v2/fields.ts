// Field helpers for WeChat's formats: Beijing time, nonces, out_trade_no, body, mweb_url, yuan ↔ fen.
import { randomBytes } from "node:crypto";

import { WechatPayError } from "../shared/errors";

const BEIJING_OFFSET_MS = 8 * 60 * 60 * 1000;

function pad(n: number, width: number): string {
  return String(n).padStart(width, "0");
}

/** `yyyyMMddHHmmss` in Beijing time. WeChat: time_start/time_expire/time_end are 东八区, whatever the server's zone. */
export function formatBeijingTime(d: Date): string {
  const ms = d.getTime();
  if (!Number.isFinite(ms)) throw new WechatPayError("BAD_TIME", "invalid date");
  const b = new Date(ms + BEIJING_OFFSET_MS);
  const year = b.getUTCFullYear();
  if (year < 1000 || year > 9999) throw new WechatPayError("BAD_TIME", "year outside 1000–9999");
  return (
    pad(year, 4) +
    pad(b.getUTCMonth() + 1, 2) +
    pad(b.getUTCDate(), 2) +
    pad(b.getUTCHours(), 2) +
    pad(b.getUTCMinutes(), 2) +
    pad(b.getUTCSeconds(), 2)
  );
}

const BEIJING_TIME = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/;

/** Inverse of formatBeijingTime; rejects anything that is not a real Beijing calendar time. */
export function parseBeijingTime(s: string): Date {
  const m = typeof s === "string" ? BEIJING_TIME.exec(s) : null;
  if (!m) throw new WechatPayError("BAD_TIME", "time must be yyyyMMddHHmmss");
  const [y, mo, d, h, mi, se] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, se) - BEIJING_OFFSET_MS;
  const date = new Date(ms);
  // Date.UTC rolls 20240230 over into March: round-tripping catches every out-of-range part.
  if (!Number.isFinite(ms) || formatBeijingTime(date) !== s)
    throw new WechatPayError("BAD_TIME", "not a valid calendar time");
  return date;
}

const ALPHANUMERIC = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** `length` characters drawn uniformly from `alphabet` (rejection sampling, no modulo bias). */
function randomString(length: number, alphabet: string): string {
  const limit = 256 - (256 % alphabet.length);
  let out = "";
  while (out.length < length) {
    const bytes = randomBytes(length * 2);
    for (let i = 0; i < bytes.length && out.length < length; i++) {
      const b = bytes[i] as number;
      if (b < limit) out += alphabet[b % alphabet.length];
    }
  }
  return out;
}

/** nonce_str / nonceStr: WeChat allows ≤ 32 characters; alphanumeric avoids any escaping question. */
export function nonceStr(length = 32): string {
  if (!Number.isInteger(length) || length < 1 || length > 32) {
    throw new WechatPayError("BAD_LENGTH", "nonce length must be 1–32");
  }
  return randomString(length, ALPHANUMERIC);
}

/**
 * A fresh out_trade_no: the Beijing date (yyyyMMdd, handy when reading bills) + 24 random alphanumerics
 * (24·log2(62) ≈ 142 random bits). 32 characters, inside WeChat's current rule
 * "6–32 个字符，只能是数字、大小写字母_-|*" (and the older one that also allows @).
 */
export function generateOutTradeNo(now: Date = new Date()): string {
  return formatBeijingTime(now).slice(0, 8) + randomString(24, ALPHANUMERIC);
}

/** WeChat's current out_trade_no rule; the safe reading of the two documented charsets (no `@`). */
export const OUT_TRADE_NO_PATTERN = /^[0-9A-Za-z_\-|*]{6,32}$/;

export function isValidOutTradeNo(s: string): boolean {
  return OUT_TRADE_NO_PATTERN.test(s);
}

function utf8Length(cp: number): number {
  return cp < 0x80 ? 1 : cp < 0x800 ? 2 : 3;
}

/**
 * `body` fitted to WeChat's limits. WeChat: v2 accepts only "使用一至三个字节编码的字符", so 4-byte characters
 * (emoji …) are removed. The limit is String(127); whether that counts bytes or characters is UNCONFIRMED,
 * so the safe reading is ≤ 127 UTF-8 bytes, cut on a character boundary.
 */
export function fitBody(body: string, maxBytes = 127): string {
  if (!Number.isInteger(maxBytes) || maxBytes < 1)
    throw new WechatPayError("BAD_LENGTH", "maxBytes must be ≥ 1");
  let out = "";
  let bytes = 0;
  for (const ch of body) {
    const cp = ch.codePointAt(0) as number;
    // 4-byte characters and lone surrogates cannot be sent; control characters cannot travel in XML.
    if (
      cp > 0xffff ||
      (cp >= 0xd800 && cp <= 0xdfff) ||
      cp < 0x20 ||
      cp === 0x7f ||
      cp === 0xfffe ||
      cp === 0xffff
    )
      continue;
    const n = utf8Length(cp);
    if (bytes + n > maxBytes) break;
    out += ch;
    bytes += n;
  }
  return out;
}

/**
 * mweb_url + redirect_url. WeChat: "在MWEB_URL后拼接上redirect_url参数 … 需对redirect_url进行urlencode处理";
 * the redirect fires after pay, cancel or a 5 s timeout alike, so the page behind it must query the order.
 */
export function appendRedirectUrl(mwebUrl: string, redirectUrl: string): string {
  let target: URL;
  try {
    target = new URL(redirectUrl);
    new URL(mwebUrl);
  } catch {
    throw new WechatPayError("BAD_URL", "mweb_url and redirect_url must be absolute URLs");
  }
  if (target.protocol !== "https:" && target.protocol !== "http:") {
    throw new WechatPayError("BAD_URL", "redirect_url must be http(s)");
  }
  if (/[?&]redirect_url=/.test(mwebUrl))
    throw new WechatPayError("BAD_URL", "mweb_url already carries a redirect_url");
  const sep = mwebUrl.includes("?") ? "&" : "?";
  return mwebUrl + sep + "redirect_url=" + encodeURIComponent(redirectUrl);
}

/** Integer fen → "12.34" yuan, without floats (display and bills only). */
export function fenToYuanString(fen: number): string {
  if (!Number.isSafeInteger(fen)) throw new WechatPayError("BAD_AMOUNT", "fen must be a safe integer");
  const neg = fen < 0;
  const abs = neg ? -fen : fen;
  const cents = abs % 100;
  return (neg ? "-" : "") + String((abs - cents) / 100) + "." + pad(cents, 2);
}

const YUAN = /^(-)?(0|[1-9][0-9]*)(?:\.([0-9]{1,2}))?$/;

/** "12.34" yuan (as in downloadbill) → 1234 fen, parsed as a decimal string: never through a float. */
export function yuanStringToFen(s: string): number {
  const m = typeof s === "string" ? YUAN.exec(s) : null;
  if (!m)
    throw new WechatPayError("BAD_AMOUNT", "amount must be a decimal yuan string with at most 2 decimals");
  const whole = m[2] as string;
  const frac = (m[3] ?? "").padEnd(2, "0");
  if (whole.length > 13) throw new WechatPayError("BAD_AMOUNT", "amount too large");
  const fen = Number(whole) * 100 + Number(frac);
  if (!Number.isSafeInteger(fen)) throw new WechatPayError("BAD_AMOUNT", "amount too large");
  return m[1] === "-" && fen !== 0 ? -fen : fen;
}

/** Strict wire integer for fen fields (total_fee, cash_fee, refund_fee): positive, no sign, no leading zero. */
export function parseFen(s: string | undefined, field = "amount"): number {
  if (typeof s !== "string" || !/^[1-9][0-9]{0,14}$/.test(s)) {
    throw new WechatPayError("BAD_AMOUNT", `${field} must be a positive integer of fen`, {
      details: { field },
    });
  }
  return Number(s);
}
