// access_token, stable access_token and jsapi_ticket: issue, supersede, validate.
import type { SimContext } from "../context";
import { newAccessToken, newTicket } from "../ids";
import type { App, Credential } from "../state";
import { ERR, type PlatformReply } from "./platform-reply";

export const CREDENTIAL_LIFE_MS = 7200 * 1000; // WeChat: expires_in 7200 for tokens and tickets.

/** Issues a credential; the previous live ones of the same kind keep working only for the overlap window. */
export function issueCredential(
  ctx: SimContext,
  kind: Credential["kind"],
  appId: string,
  extra: Partial<Credential> = {},
): Credential {
  const now = ctx.clock.now();
  if (kind !== "oauth_token") {
    for (const c of ctx.state.credentials.values()) {
      if (c.kind === kind && c.appId === appId && c.supersededUntil === undefined && c.expiresAt > now) {
        c.supersededUntil = Math.min(c.expiresAt, now + ctx.config.tokenOverlapMs);
      }
    }
  }
  const cred: Credential = {
    value: kind === "jsapi_ticket" ? newTicket() : newAccessToken(),
    kind,
    appId,
    issuedAt: now,
    expiresAt: now + CREDENTIAL_LIFE_MS,
    ...extra,
  };
  ctx.state.credentials.set(cred.value, cred);
  return cred;
}

export function isLive(ctx: SimContext, c: Credential): boolean {
  const now = ctx.clock.now();
  return now < c.expiresAt && (c.supersededUntil === undefined || now < c.supersededUntil);
}

/** Checks an access_token (plain or stable) passed to an API: WeChat's 41001 / 40001 / 42001. */
export function checkAccessToken(
  ctx: SimContext,
  token: string | null,
): { ok: true; app: App; credential: Credential } | { ok: false; reply: PlatformReply } {
  if (!token) return { ok: false, reply: ERR.accessTokenMissing() };
  const cred = ctx.state.credentials.get(token);
  if (!cred || (cred.kind !== "access_token" && cred.kind !== "stable_token")) {
    return { ok: false, reply: ERR.invalidCredential() };
  }
  const now = ctx.clock.now();
  // A token replaced by a newer one is "not latest" once the overlap ends; one that simply ran out is expired.
  if (
    cred.supersededUntil !== undefined &&
    now >= cred.supersededUntil &&
    cred.supersededUntil < cred.expiresAt
  ) {
    return { ok: false, reply: ERR.invalidCredential() };
  }
  if (now >= cred.expiresAt) return { ok: false, reply: ERR.accessTokenExpired() };
  const app = ctx.state.apps.get(cred.appId);
  if (!app) return { ok: false, reply: ERR.invalidCredential() };
  return { ok: true, app, credential: cred };
}

/** The jsapi_tickets of an app that a wx.config signature may currently be made with. */
export function liveTickets(ctx: SimContext, appId: string): Credential[] {
  return [...ctx.state.credentials.values()].filter(
    (c) => c.kind === "jsapi_ticket" && c.appId === appId && isLive(ctx, c),
  );
}

/** Shared appid/secret checks of the token endpoints. */
export function checkAppSecret(
  ctx: SimContext,
  appId: string | null | undefined,
  secret: string | null | undefined,
): { ok: true; app: App } | { ok: false; reply: PlatformReply } {
  if (!appId) return { ok: false, reply: ERR.appidMissing() };
  if (!secret) return { ok: false, reply: ERR.appsecretMissing() };
  const app = ctx.state.apps.get(appId);
  if (!app) return { ok: false, reply: ERR.invalidAppid() };
  if (app.secret !== secret) return { ok: false, reply: ERR.invalidAppsecret() };
  return { ok: true, app };
}
