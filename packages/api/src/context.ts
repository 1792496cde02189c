import type { CoreDeps, TSession } from "@wxpay/core";
import {
  ADMIN_COOKIE,
  ADMIN_SESSION_MAX_AGE_S,
  clientIpFrom,
  OAUTH_COOKIE,
  OAUTH_COOKIE_MAX_AGE_S,
  openH5Session,
  openMiniToken,
  requestIdFrom,
  sealH5Session,
  SESSION_COOKIE,
  SESSION_COOKIE_MAX_AGE_S,
  shouldRenewH5Session,
  withLogFields,
} from "@wxpay/core";

/** Per-request context: the process's core dependencies and what the transport learned about the caller. */
export type TApiContext = {
  /** The process's deps with a logger that stamps this request's id on every line. */
  deps: CoreDeps;
  /** X-Request-Id: the caller's (from a proxy) or a new one; echoed on the response. */
  requestId: string;
  headers: Headers;
  /** The caller: the H5 cookie session or the mini-program Bearer token, when valid. */
  session: TSession | undefined;
  /** True when a Bearer token was sent but is forged or expired (the mini-program must log in again). */
  bearerRejected: boolean;
  clientIp: string;
  /** Issues a session cookie on this response (H5 only). */
  setSessionCookie(value: string): void;
  /** Issues (or, with an empty value, clears) the console's own session cookie. */
  setAdminCookie(value: string): void;
};

export function readCookie(headers: Headers, name: string): string | undefined {
  const raw = headers.get("cookie");
  if (!raw) return undefined;
  for (const part of raw.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export function sessionCookieHeader(value: string, secure: boolean): string {
  return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${SESSION_COOKIE_MAX_AGE_S}${secure ? "; Secure" : ""}`;
}

/** The console's cookie: its own name, HttpOnly, SameSite=Strict (no cross-site request carries it). */
export function adminCookieHeader(value: string, secure: boolean): string {
  return `${ADMIN_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${value ? ADMIN_SESSION_MAX_AGE_S : 0}${secure ? "; Secure" : ""}`;
}

/** The OAuth round trip's cookie, scoped to the OAuth routes; maxAge 0 deletes it. */
export function oauthCookieHeader(value: string, secure: boolean, maxAgeS = OAUTH_COOKIE_MAX_AGE_S): string {
  return `${OAUTH_COOKIE}=${value}; Path=/api/wechat/oauth; HttpOnly; SameSite=Lax; Max-Age=${maxAgeS}${secure ? "; Secure" : ""}`;
}

export function createApiContext(opts: {
  deps: CoreDeps;
  headers: Headers;
  resHeaders?: Headers;
}): TApiContext {
  const { headers } = opts;
  const requestId = requestIdFrom(headers.get("x-request-id"));
  opts.resHeaders?.set("x-request-id", requestId);
  const deps: CoreDeps = { ...opts.deps, log: withLogFields(opts.deps.log, { reqId: requestId }) };
  const secret = deps.config.sessionSecret;
  const auth = headers.get("authorization");
  let session: TSession | undefined;
  let bearerRejected = false;
  if (auth?.startsWith("Bearer ")) {
    session = openMiniToken(secret, auth.slice(7).trim(), deps.now());
    bearerRejected = !session;
  } else {
    session = openH5Session(secret, readCookie(headers, SESSION_COOKIE), deps.now());
  }
  const secure = deps.config.appUrl.startsWith("https://");
  // Renewed on use: a shopper who keeps coming back keeps the session; an abandoned one lapses.
  if (session?.kind === "h5" && shouldRenewH5Session(session, deps.now())) {
    const renewed = sealH5Session(secret, session, deps.now());
    session = renewed.session;
    opts.resHeaders?.append("set-cookie", sessionCookieHeader(renewed.cookie, secure));
  }
  return {
    deps,
    requestId,
    headers,
    session,
    bearerRejected,
    clientIp: clientIpFrom(headers.get("x-forwarded-for"), deps.config.trustProxyHops),
    setSessionCookie(value) {
      opts.resHeaders?.append("set-cookie", sessionCookieHeader(value, secure));
    },
    setAdminCookie(value) {
      opts.resHeaders?.append("set-cookie", adminCookieHeader(value, secure));
    },
  };
}
