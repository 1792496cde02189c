// WeChat's limits on v3 request fields, checked before anything is signed or sent, so a request that WeChat
// would refuse with PARAM_ERROR never leaves the shop (reference §7, §9).
import { randomBytes } from "node:crypto";

import { WechatPayV3InputError } from "./errors";

/** WeChat: out_trade_no "6-32个字符内，只能是数字、大小写字母_-|*". */
export const V3_OUT_TRADE_NO = /^[0-9A-Za-z_\-|*]{6,32}$/;
/** WeChat: out_refund_no "只能是数字、大小写字母_-|*@", at most 64. */
export const V3_OUT_REFUND_NO = /^[0-9A-Za-z_\-|*@]{1,64}$/;
/** WeChat: transaction_id is digits (28 in every example). */
const TRANSACTION_ID = /^[0-9]{1,32}$/;
/** RFC 3339 with seconds and an explicit offset, e.g. 2018-06-08T10:34:56+08:00. */
export const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;
const BILL_DATE = /^\d{4}-\d{2}-\d{2}$/;
/** WeChat: only the 1–3-byte subset of UTF-8 (no supplementary-plane characters such as emoji). */
const SUPPLEMENTARY = /[\u{10000}-\u{10FFFF}]/u;
// eslint-disable-next-line no-control-regex -- control characters are what this refuses
const CONTROL = /[\u0000-\u001F\u007F]/;

const bad = (field: string, message: string): WechatPayV3InputError =>
  new WechatPayV3InputError(field, message);

export function checkOutTradeNo(s: unknown, field = "out_trade_no"): string {
  if (typeof s !== "string" || !V3_OUT_TRADE_NO.test(s)) throw bad(field, "6–32 of [0-9A-Za-z_-|*]");
  return s;
}

export function checkOutRefundNo(s: unknown): string {
  if (typeof s !== "string" || !V3_OUT_REFUND_NO.test(s))
    throw bad("out_refund_no", "1–64 of [0-9A-Za-z_-|*@]");
  return s;
}

export function checkTransactionId(s: unknown): string {
  if (typeof s !== "string" || !TRANSACTION_ID.test(s))
    throw bad("transaction_id", "WeChat's order number: digits");
  return s;
}

/** A text field of at most `max` characters (WeChat counts characters, not bytes) in WeChat's character set. */
export function checkText(s: unknown, field: string, max: number, opts: { min?: number } = {}): string {
  if (typeof s !== "string") throw bad(field, "must be a string");
  const length = [...s].length;
  if (length < (opts.min ?? 1)) throw bad(field, "must not be empty");
  if (length > max) throw bad(field, `at most ${max} characters (got ${length})`);
  if (SUPPLEMENTARY.test(s))
    throw bad(field, "characters outside the Basic Multilingual Plane (e.g. emoji) are refused");
  if (CONTROL.test(s)) throw bad(field, "control characters are refused");
  return s;
}

/** Integer fen, at least 1 (WeChat: amount.total 0 gives PARAM_ERROR). */
export function checkFen(n: unknown, field: string): number {
  if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 1) throw bad(field, "integer fen ≥ 1");
  return n;
}

/** WeChat: notify_url is HTTPS, at most 255 (refunds: 256) characters, without a query string. */
/**
 * WeChat: notify_url must be an https URL without a query. `allowHttp` admits http for a local stand-in of WeChat
 * (the client grants it only when its base URL is not a WeChat host).
 */
export function checkNotifyUrl(s: unknown, field = "notify_url", max = 255, allowHttp = false): string {
  if (typeof s !== "string" || s.length > max) throw bad(field, `an https URL of at most ${max} characters`);
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    throw bad(field, "not an absolute URL");
  }
  if (u.protocol !== "https:" && !(allowHttp && u.protocol === "http:")) throw bad(field, "must be https");
  if (u.search !== "" || s.includes("?")) throw bad(field, "must not carry a query string");
  return s;
}

/** Whether a base URL is WeChat Pay itself (where notify_url must be https, whatever the caller allows). */
export function isWechatPayHost(baseUrl: string): boolean {
  const host = new URL(baseUrl).hostname.toLowerCase();
  return host === "weixin.qq.com" || host.endsWith(".weixin.qq.com") || host.endsWith(".wechatpay.cn");
}

/** Beijing time in RFC 3339, e.g. "2026-01-02T10:11:12+08:00" (the form WeChat's examples use). */
export function formatRfc3339Beijing(d: Date): string {
  const t = new Date(d.getTime() + 8 * 3600_000);
  const p = (n: number, w = 2): string => String(n).padStart(w, "0");
  return (
    `${p(t.getUTCFullYear(), 4)}-${p(t.getUTCMonth() + 1)}-${p(t.getUTCDate())}` +
    `T${p(t.getUTCHours())}:${p(t.getUTCMinutes())}:${p(t.getUTCSeconds())}+08:00`
  );
}

export function checkRfc3339(s: unknown, field: string): string {
  if (typeof s !== "string" || !RFC3339.test(s) || Number.isNaN(Date.parse(s))) {
    throw bad(field, "RFC 3339 time with an offset, e.g. 2026-01-02T10:11:12+08:00");
  }
  return s;
}

/** A time from WeChat (success_time, create_time), or undefined when absent or not RFC 3339. */
export function parseRfc3339(s: unknown): Date | undefined {
  if (typeof s !== "string" || !RFC3339.test(s)) return undefined;
  const ms = Date.parse(s);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

export function checkBillDate(s: unknown): string {
  if (typeof s !== "string" || !BILL_DATE.test(s) || Number.isNaN(Date.parse(`${s}T00:00:00+08:00`))) {
    throw bad("bill_date", "YYYY-MM-DD");
  }
  return s;
}

/** 32 characters of [0-9A-Z], as the official SDKs generate for nonce_str / nonceStr. */
export function v3Nonce(): string {
  return randomBytes(16).toString("hex").toUpperCase();
}

/**
 * h5_url + redirect_url. WeChat: append "&redirect_url=" + urlencode(URL); the redirect fires whatever the
 * outcome, so the page behind it must query the order.
 */
export function h5UrlWithRedirect(h5Url: string, redirectUrl: string): string {
  let target: URL;
  try {
    new URL(h5Url);
    target = new URL(redirectUrl);
  } catch {
    throw bad("redirect_url", "h5_url and redirect_url must be absolute URLs");
  }
  if (target.protocol !== "https:" && target.protocol !== "http:")
    throw bad("redirect_url", "must be http(s)");
  if (/[?&]redirect_url=/.test(h5Url)) throw bad("redirect_url", "h5_url already carries a redirect_url");
  return h5Url + (h5Url.includes("?") ? "&" : "?") + "redirect_url=" + encodeURIComponent(redirectUrl);
}
