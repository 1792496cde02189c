// Sends the shopper to WeChat's authorize page (snsapi_base: silent) to learn the official-account openid.
import { oauthCookieHeader } from "@wxpay/api";
import { beginOauth, clientIpFrom, enforceRateLimit, isCoreError } from "@wxpay/core";

import { coreDeps } from "~/server/deps";

export async function GET(request: Request) {
  const deps = await coreDeps();
  try {
    const ip = clientIpFrom(request.headers.get("x-forwarded-for"), deps.config.trustProxyHops);
    await enforceRateLimit(deps, { action: "oauthStart", ip });
  } catch (err) {
    if (!isCoreError(err) || err.code !== "TOO_MANY_REQUESTS") throw err;
    const html = `<!doctype html><html lang="zh-CN"><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>请稍后再试</title><body style="font-family:sans-serif;padding:24px"><h1 style="font-size:18px">${err.message.replace(/[<>&]/g, "")}</h1><p>为了保护你的账户，短时间内打开微信授权的次数有限。</p><p><a href="${deps.config.appUrl}/">返回首页</a></p></body></html>`;
    return new Response(html, {
      status: 429,
      headers: {
        "content-type": "text/html; charset=utf-8",
        "retry-after": "60",
        "cache-control": "no-store",
      },
    });
  }
  const { url, cookie } = beginOauth(deps, new URL(request.url).searchParams.get("returnTo"));
  return new Response(null, {
    status: 302,
    headers: {
      location: url,
      "set-cookie": oauthCookieHeader(cookie, deps.config.appUrl.startsWith("https://")),
      "cache-control": "no-store",
    },
  });
}
