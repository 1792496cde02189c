// GET /sns/jscode2session — exchanges a wx.login code for openid and session_key of this mini-program.
import type { SimContext } from "../context";
import { newSessionKey } from "../ids";
import { openidFor } from "../state";
import { redeemCode } from "./auth-codes";
import { checkAppSecret } from "./credentials";
import { ERR, ok, type PlatformReply } from "./platform-reply";

export function jscode2session(ctx: SimContext, query: URLSearchParams): PlatformReply {
  if (query.get("grant_type") !== "authorization_code") return ERR.invalidGrantType();
  const checked = checkAppSecret(ctx, query.get("appid"), query.get("secret"));
  if (!checked.ok) return checked.reply;
  if (checked.app.kind !== "mini") return ERR.invalidAppid();
  const jsCode = query.get("js_code");
  if (!jsCode) return ERR.codeMissing();
  const redeemed = redeemCode(ctx, "login", checked.app.appId, jsCode);
  if (!redeemed.ok) return redeemed.reply;
  const user = ctx.state.users.get(redeemed.code.userId);
  if (!user) return ERR.invalidCode();
  return ok({
    session_key: newSessionKey(),
    openid: openidFor(checked.app.appId, user.userId),
    unionid: user.unionid,
  });
}
