import { oauthCookieHeader, readCookie, sessionCookieHeader } from "@wxpay/api";
import { completeOauth, isCoreError, OAUTH_COOKIE, openH5Session, SESSION_COOKIE } from "@wxpay/core";

import { coreDeps } from "~/server/deps";

/** WeChat's OAuth redirect: code → openid → session cookie → back to the page the shopper was on. */
export async function GET(request: Request) {
  const deps = await coreDeps();
  const url = new URL(request.url);
  const session = openH5Session(
    deps.config.sessionSecret,
    readCookie(request.headers, SESSION_COOKIE),
    deps.now(),
  );
  try {
    const done = await completeOauth(deps, {
      code: url.searchParams.get("code"),
      state: url.searchParams.get("state"),
      oauthCookie: readCookie(request.headers, OAUTH_COOKIE),
      session,
    });
    const secure = deps.config.appUrl.startsWith("https://");
    const headers = new Headers({
      location: `${deps.config.appUrl}${done.returnTo}`,
      "cache-control": "no-store",
    });
    headers.append("set-cookie", sessionCookieHeader(done.cookie, secure));
    // The round trip is over: its nonce must not be usable again.
    headers.append("set-cookie", oauthCookieHeader("", secure, 0));
    return new Response(null, { status: 302, headers });
  } catch (err) {
    const message = isCoreError(err) ? err.message : "微信授权失败，请稍后重试";
    if (!isCoreError(err)) deps.log.error("oauth callback failed", { error: err });
    const html = `<!doctype html><html lang="zh-CN"><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>授权失败</title><body style="font-family:sans-serif;padding:24px"><h1 style="font-size:18px">${message.replace(/[<>&]/g, "")}</h1><p><a href="${deps.config.appUrl}/">返回首页</a></p></body></html>`;
    return new Response(html, { status: 400, headers: { "content-type": "text/html; charset=utf-8" } });
  }
}
