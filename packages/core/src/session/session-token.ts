// Stateless signed tokens: the H5 session cookie and the mini-program Bearer token.
// Format: base64url(JSON payload) "." base64url(HMAC-SHA256(secret, purpose "." payload)).
import crypto from "node:crypto";

import { newCustomerId } from "../ids";

export type TH5Session = {
  kind: "h5";
  customerId: string;
  /** Official-account openid after OAuth. */ openid?: string;
  issuedAt: Date;
  expiresAt: Date;
};
export type TMiniSession = { kind: "mini"; customerId: string; openid: string; expiresAt: Date };
export type TSession = TH5Session | TMiniSession;

export const SESSION_COOKIE = "wxpay_session";
/** An H5 session lapses this long after it was last issued; using it renews it (see SESSION_RENEW_AFTER_MS). */
export const SESSION_TTL_MS = 30 * 24 * 3600 * 1000;
export const SESSION_COOKIE_MAX_AGE_S = SESSION_TTL_MS / 1000;
/** A session older than this is re-issued (new issued-at and expiry) on the next request that uses it. */
export const SESSION_RENEW_AFTER_MS = 24 * 3600 * 1000;

function mac(secret: string, purpose: string, payload: string): string {
  return crypto.createHmac("sha256", secret).update(`${purpose}.${payload}`).digest("base64url");
}

function seal(secret: string, purpose: string, data: unknown): string {
  const payload = Buffer.from(JSON.stringify(data)).toString("base64url");
  return `${payload}.${mac(secret, purpose, payload)}`;
}

function open(
  secret: string,
  purpose: string,
  token: string | undefined,
): Record<string, unknown> | undefined {
  if (!token || token.length > 2048) return undefined;
  const dot = token.indexOf(".");
  if (dot <= 0) return undefined;
  const payload = token.slice(0, dot);
  const given = Buffer.from(token.slice(dot + 1));
  const expected = Buffer.from(mac(secret, purpose, payload));
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return undefined;
  try {
    const data: unknown = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
    return data && typeof data === "object" && !Array.isArray(data)
      ? (data as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

const isId = (v: unknown): v is string => typeof v === "string" && /^c_[0-9A-Za-z]{22}$/.test(v);
const isOpenid = (v: unknown): v is string => typeof v === "string" && v.length > 0 && v.length <= 128;

/** A new anonymous H5 shopper: the session and its sealed cookie value. */
export function newAnonymousSession(secret: string, now: Date): { session: TH5Session; cookie: string } {
  return sealH5Session(secret, { customerId: newCustomerId() }, now);
}

/** The session (issued now, expiring SESSION_TTL_MS later) and its sealed cookie value. */
export function sealH5Session(
  secret: string,
  s: { customerId: string; openid?: string | undefined },
  now: Date,
): { session: TH5Session; cookie: string } {
  const issuedAt = now;
  const expiresAt = new Date(now.getTime() + SESSION_TTL_MS);
  const cookie = seal(secret, "h5", {
    cid: s.customerId,
    ...(s.openid ? { oa: s.openid } : {}),
    iat: issuedAt.getTime(),
    exp: expiresAt.getTime(),
  });
  const session: TH5Session = {
    kind: "h5",
    customerId: s.customerId,
    ...(s.openid ? { openid: s.openid } : {}),
    issuedAt,
    expiresAt,
  };
  return { session, cookie };
}

/** Undefined for a forged, malformed or expired cookie, and for one without issued-at and expiry. */
export function openH5Session(secret: string, token: string | undefined, now: Date): TH5Session | undefined {
  const d = open(secret, "h5", token);
  if (!d || !isId(d.cid) || typeof d.iat !== "number" || typeof d.exp !== "number") return undefined;
  // A cookie "issued" in the future (beyond clock skew) was not issued by us.
  if (d.exp <= now.getTime() || d.iat > now.getTime() + 60_000) return undefined;
  return {
    kind: "h5",
    customerId: d.cid,
    ...(isOpenid(d.oa) ? { openid: d.oa } : {}),
    issuedAt: new Date(d.iat),
    expiresAt: new Date(d.exp),
  };
}

/** True when this session should be re-issued on the response to the request that used it. */
export function shouldRenewH5Session(session: TH5Session, now: Date): boolean {
  return now.getTime() - session.issuedAt.getTime() >= SESSION_RENEW_AFTER_MS;
}

export function sealMiniToken(secret: string, s: Omit<TMiniSession, "kind">): string {
  return seal(secret, "mini", { cid: s.customerId, mo: s.openid, exp: s.expiresAt.getTime() });
}

/** Undefined for a forged, malformed or expired token. */
export function openMiniToken(
  secret: string,
  token: string | undefined,
  now: Date,
): TMiniSession | undefined {
  const d = open(secret, "mini", token);
  if (!d || !isId(d.cid) || !isOpenid(d.mo) || typeof d.exp !== "number") return undefined;
  if (d.exp <= now.getTime()) return undefined;
  return { kind: "mini", customerId: d.cid, openid: d.mo, expiresAt: new Date(d.exp) };
}

export const OAUTH_COOKIE = "wxpay_oauth";
export const OAUTH_COOKIE_MAX_AGE_S = 600;

/**
 * The OAuth round trip's cookie: the `state` nonce sent to WeChat, where to return, and when it started (valid
 * 10 minutes). WeChat only carries `state` as [A-Za-z0-9]{0,128}, so the signed part stays in our cookie.
 */
export function sealOauthCookie(secret: string, v: { nonce: string; returnTo: string }, now: Date): string {
  return seal(secret, "oauth", { n: v.nonce, r: v.returnTo, t: now.getTime() });
}

export function openOauthCookie(
  secret: string,
  cookie: string | undefined,
  now: Date,
): { nonce: string; returnTo: string } | undefined {
  const d = open(secret, "oauth", cookie);
  if (!d || typeof d.n !== "string" || typeof d.r !== "string" || typeof d.t !== "number") return undefined;
  if (now.getTime() - d.t > OAUTH_COOKIE_MAX_AGE_S * 1000 || d.t > now.getTime() + 60_000) return undefined;
  return { nonce: d.n, returnTo: d.r };
}

const PROBE_ORIGIN = "http://return-path.invalid";

/**
 * Only same-origin paths: an open redirect through the OAuth round trip or a mode switch is not possible. The
 * candidate is resolved the way a browser would (which drops tabs and newlines, so "/\t/evil.com" would become
 * "//evil.com") and any control character, space or backslash is refused outright.
 */
export function safeReturnPath(candidate: string | null | undefined): string {
  if (!candidate || candidate.length > 1024 || !candidate.startsWith("/")) return "/";
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused here
  if (/[\u0000-\u0020\u007f\\]/.test(candidate)) return "/";
  if (candidate.startsWith("//")) return "/";
  let resolved: URL;
  try {
    resolved = new URL(candidate, PROBE_ORIGIN);
  } catch {
    return "/";
  }
  if (resolved.origin !== PROBE_ORIGIN) return "/";
  return `${resolved.pathname}${resolved.search}${resolved.hash}`;
}
