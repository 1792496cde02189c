// POST /cgi-bin/stable_token — JSON body. Normal mode returns the same token while it has more than 5 minutes
// left; force_refresh issues a new one (at most 20 a day, 30 s apart). Isolated from cgi-bin/token.
import type { SimContext } from "../context";
import { parseJsonObject } from "../http/io";
import { checkAppSecret, CREDENTIAL_LIFE_MS, issueCredential, isLive } from "./credentials";
import { ERR, ok, type PlatformReply } from "./platform-reply";
import { takeDailyQuota } from "./quota";

const REFRESH_BEFORE_MS = 5 * 60 * 1000;
const FORCE_PER_DAY = 20;
const FORCE_GAP_MS = 30 * 1000;

export function stableToken(ctx: SimContext, method: string, raw: Buffer): PlatformReply {
  if (method !== "POST") return ERR.requirePost();
  const body = parseJsonObject(raw);
  if (!body) return ERR.dataFormat();
  if (body.grant_type !== "client_credential") return ERR.invalidGrantType();
  const str = (v: unknown) => (typeof v === "string" ? v : undefined);
  const checked = checkAppSecret(ctx, str(body.appid), str(body.secret));
  if (!checked.ok) return checked.reply;
  if (body.force_refresh !== undefined && typeof body.force_refresh !== "boolean") return ERR.dataFormat();
  const appId = checked.app.appId;
  const now = ctx.clock.now();

  if (!takeDailyQuota(ctx, appId, "stable_token", ctx.config.dailyTokenQuota)) return ERR.dailyQuota();
  if (body.force_refresh === true) {
    const log = (ctx.state.forceRefreshLog.get(appId) ?? []).filter((t) => now - t < 24 * 60 * 60 * 1000);
    if (log.length >= FORCE_PER_DAY) return ERR.dailyQuota();
    const last = log[log.length - 1];
    if (last !== undefined && now - last < FORCE_GAP_MS) return ERR.minuteQuota();
    log.push(now);
    ctx.state.forceRefreshLog.set(appId, log);
    const cred = issueCredential(ctx, "stable_token", appId);
    return ok({ access_token: cred.value, expires_in: CREDENTIAL_LIFE_MS / 1000 });
  }
  const current = [...ctx.state.credentials.values()]
    .filter(
      (c) =>
        c.kind === "stable_token" && c.appId === appId && c.supersededUntil === undefined && isLive(ctx, c),
    )
    .sort((a, b) => b.issuedAt - a.issuedAt)[0];
  if (current && current.expiresAt - now > REFRESH_BEFORE_MS) {
    return ok({ access_token: current.value, expires_in: Math.floor((current.expiresAt - now) / 1000) });
  }
  const cred = issueCredential(ctx, "stable_token", appId);
  return ok({ access_token: cred.value, expires_in: CREDENTIAL_LIFE_MS / 1000 });
}
