// Sends the shopper to WeChat's authorize page (snsapi_base: silent) to learn the official-account openid.
import { oauthCookieHeader } from "@wxpay/api";
import { beginOauth } from "@wxpay/core";

import { coreDeps } from "~/server/deps";

export async function GET(request: Request) {
  const deps = await coreDeps();
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
