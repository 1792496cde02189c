// GET /cgi-bin/token — each call issues a new access_token; the previous one keeps working 5 more minutes.
import type { SimContext } from "../context";
import { checkAppSecret, CREDENTIAL_LIFE_MS, issueCredential } from "./credentials";
import { ERR, ok, type PlatformReply } from "./platform-reply";
import { takeDailyQuota } from "./quota";

export function getToken(ctx: SimContext, query: URLSearchParams): PlatformReply {
  if (query.get("grant_type") !== "client_credential") return ERR.invalidGrantType();
  const checked = checkAppSecret(ctx, query.get("appid"), query.get("secret"));
  if (!checked.ok) return checked.reply;
  // WeChat: 2000 calls a day; a client that does not cache tokens runs into 45009.
  if (!takeDailyQuota(ctx, checked.app.appId, "token", ctx.config.dailyTokenQuota)) return ERR.dailyQuota();
  const cred = issueCredential(ctx, "access_token", checked.app.appId);
  return ok({ access_token: cred.value, expires_in: CREDENTIAL_LIFE_MS / 1000 });
}
