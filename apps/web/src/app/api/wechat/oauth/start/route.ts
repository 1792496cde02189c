// Sends the shopper to WeChat's authorize page (snsapi_base: silent) to learn the official-account openid.
import { oauthAuthorizeUrl } from "@wxpay/core";

import { coreDeps } from "~/server/deps";

export async function GET(request: Request) {
  const deps = await coreDeps();
  const returnTo = new URL(request.url).searchParams.get("returnTo");
  return new Response(null, {
    status: 302,
    headers: { location: oauthAuthorizeUrl(deps, returnTo), "cache-control": "no-store" },
  });
}
