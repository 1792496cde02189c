// GET /cgi-bin/ticket/getticket?access_token=…&type=jsapi — the ticket wx.config signatures are made with.
import type { SimContext } from "../context";
import { checkAccessToken, CREDENTIAL_LIFE_MS, issueCredential } from "./credentials";
import { ERR, ok, type PlatformReply } from "./platform-reply";
import { takeDailyQuota } from "./quota";

export function getTicket(ctx: SimContext, query: URLSearchParams): PlatformReply {
  const checked = checkAccessToken(ctx, query.get("access_token"));
  if (!checked.ok) return checked.reply;
  const type = query.get("type");
  if (type !== "jsapi" && type !== "wx_card") return ERR.invalidArgs();
  // The JS-SDK belongs to official accounts; a mini-program's token is not authorised for it.
  if (checked.app.kind !== "official") return ERR.unauthorized();
  // WeChat: "由于获取jsapi_ticket的api调用次数非常有限" — counted like tokens; uncached callers get 45009.
  if (!takeDailyQuota(ctx, checked.app.appId, `ticket_${type}`, ctx.config.dailyTokenQuota))
    return ERR.dailyQuota();
  const cred = issueCredential(ctx, "jsapi_ticket", checked.app.appId);
  return ok({ errcode: 0, errmsg: "ok", ticket: cred.value, expires_in: CREDENTIAL_LIFE_MS / 1000 });
}
