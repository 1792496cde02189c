// GET /connect/oauth2/authorize — WeChat's 网页授权 page. As in WeChat, snsapi_base asks the user nothing: it
// redirects at once for the browser's WeChat user. Which test user that is belongs to the simulator, not to the
// page: `sim_user=<userId>` in the URL, else the choice remembered in a cookie on the simulator's origin (set by
// the admin page or a previous sim_user), else the first test user. snsapi_userinfo asks for consent first.
import type { IncomingMessage, ServerResponse } from "node:http";

import type { SimContext } from "../context";
import type { User } from "../state";
import { cookies, redirect, sendHtml } from "../http/io";
import { issueCode } from "../platform/auth-codes";
import { errorPage, esc, hostAllowed, page } from "./html";

export const USER_COOKIE = "wxsim_user";

export function oauthAuthorize(ctx: SimContext, req: IncomingMessage, res: ServerResponse, url: URL): void {
  const q = url.searchParams;
  const appId = q.get("appid") ?? "";
  const app = ctx.state.apps.get(appId);
  const fail = (message: string) => sendHtml(res, 200, errorPage("Oops! Something went wrong:(", message));
  if (!app || app.kind !== "official") return fail("appid参数错误");
  if (q.get("response_type") !== "code") return fail("response_type参数错误");
  const scope = q.get("scope") ?? "";
  if (scope !== "snsapi_base" && scope !== "snsapi_userinfo")
    return fail("scope参数错误或没有scope权限，错误码:10005");
  let redirectUri: URL;
  try {
    redirectUri = new URL(q.get("redirect_uri") ?? "");
    if (redirectUri.protocol !== "http:" && redirectUri.protocol !== "https:") throw new Error("scheme");
  } catch {
    return fail("redirect_uri参数错误");
  }
  // WeChat: redirect_uri's domain must be the account's configured 网页授权域名.
  if (!hostAllowed(redirectUri.hostname, app.webDomains))
    return fail("redirect_uri域名与后台配置不一致，错误码:10003");
  const state = q.get("state") ?? "";
  if (Buffer.byteLength(state, "utf8") > 128) return fail("state参数错误");

  const chosen = q.get("sim_user");
  const user = chosen !== null ? ctx.state.users.get(chosen) : browserUser(ctx, cookies(req));
  if (!user) return fail("用户不存在");
  const setCookie = chosen !== null ? userCookie(user.userId) : {};
  if (scope === "snsapi_userinfo" && q.get("confirm") !== "1") {
    return sendHtml(res, 200, consent(url, user.userId, user.nickname, app.name), setCookie);
  }
  const code = issueCode(ctx, "oauth", appId, user.userId, scope);
  redirectUri.searchParams.set("code", code.code);
  redirectUri.searchParams.set("state", state);
  ctx.log(`oauth ${scope} ${appId} -> ${user.userId}`);
  redirect(res, redirectUri.toString(), setCookie);
}

function withParams(url: URL, params: Record<string, string>): string {
  const next = new URL(url.toString());
  for (const [k, v] of Object.entries(params)) next.searchParams.set(k, v);
  return next.pathname + next.search;
}

function consent(url: URL, userId: string, nickname: string, appName: string): string {
  return page({
    title: "微信授权",
    body: `<div class="card center"><h1>${esc(appName)}</h1><p>申请获得你的公开信息（昵称、头像等）</p>
<p class="muted">当前用户：${esc(nickname)}</p>
<a class="btn btn-primary" data-testid="oauth-allow" href="${esc(withParams(url, { sim_user: userId, confirm: "1" }))}">允许</a></div>`,
  });
}

/** The simulated WeChat user of this browser: the remembered choice, else the first test user. */
export function browserUser(ctx: SimContext, cookieJar: Record<string, string>): User | undefined {
  const remembered = cookieJar[USER_COOKIE];
  return (remembered ? ctx.state.users.get(remembered) : undefined) ?? [...ctx.state.users.values()][0];
}

export function userCookie(userId: string): Record<string, string> {
  return { "set-cookie": `${USER_COOKIE}=${encodeURIComponent(userId)}; Path=/; SameSite=Lax` };
}
