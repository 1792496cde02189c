// GET /sns/oauth2/access_token — exchanges a 网页授权 code for the user's openid under this appid.
import { randomBytes } from "node:crypto";

import type { SimContext } from "../context";
import { openidFor } from "../state";
import { redeemCode } from "./auth-codes";
import { checkAppSecret, CREDENTIAL_LIFE_MS, issueCredential } from "./credentials";
import { ERR, ok, type PlatformReply } from "./platform-reply";

export function oauthAccessToken(ctx: SimContext, query: URLSearchParams): PlatformReply {
  if (query.get("grant_type") !== "authorization_code") return ERR.invalidGrantType();
  const code = query.get("code");
  const checked = checkAppSecret(ctx, query.get("appid"), query.get("secret"));
  if (!checked.ok) return checked.reply;
  if (!code) return ERR.codeMissing();
  const redeemed = redeemCode(ctx, "oauth", checked.app.appId, code);
  if (!redeemed.ok) return redeemed.reply;
  const { userId, scope } = redeemed.code;
  const user = ctx.state.users.get(userId);
  if (!user) return ERR.invalidCode();
  const cred = issueCredential(ctx, "oauth_token", checked.app.appId, { userId });
  return ok({
    access_token: cred.value,
    expires_in: CREDENTIAL_LIFE_MS / 1000,
    refresh_token: randomBytes(48).toString("base64url"),
    openid: openidFor(checked.app.appId, userId),
    scope,
    // WeChat: unionid comes only with snsapi_userinfo.
    ...(scope === "snsapi_userinfo" ? { unionid: user.unionid } : {}),
  });
}
