// The shape every WeChat notify route shares: a size-capped raw body in, WeChat's XML reply out, always
// HTTP 200 (WeChat reads the body, never the status), FAIL whenever the shop cannot take it right now.
import type { CoreDeps } from "@wxpay/core";
import { MAX_NOTIFY_BYTES } from "@wxpay/core";
import { replyXml } from "@wxpay/wechatpay";

import { readBodyCapped } from "./body";
import { coreDeps } from "./deps";

const xml = (body: string) =>
  new Response(body, {
    status: 200,
    headers: { "content-type": "text/xml; charset=utf-8", "cache-control": "no-store" },
  });

export function xmlNotifyRoute(
  handle: (deps: CoreDeps, body: string, request: Request) => Promise<{ reply: string }>,
): (request: Request) => Promise<Response> {
  return async (request) => {
    const body = await readBodyCapped(request, MAX_NOTIFY_BYTES);
    if (body === undefined) return xml(replyXml(false, "报文过大"));
    const deps = await coreDeps().catch(() => undefined);
    if (!deps) return xml(replyXml(false, "系统繁忙"));
    return xml((await handle(deps, body, request)).reply);
  };
}
