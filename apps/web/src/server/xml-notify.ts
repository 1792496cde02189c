// The shape every WeChat notify route shares: a size-capped raw body in, WeChat's XML reply out, always
// HTTP 200 (WeChat reads the body, never the status), FAIL whenever the shop cannot take it right now.
import type { CoreDeps } from "@wxpay/core";
import { MAX_NOTIFY_BYTES, requestIdFrom, withLogFields } from "@wxpay/core";
import { replyXml } from "@wxpay/wechatpay";

import { readBodyCapped } from "./body";
import { coreDeps } from "./deps";

const xml = (body: string, requestId: string) =>
  new Response(body, {
    status: 200,
    headers: {
      "content-type": "text/xml; charset=utf-8",
      "cache-control": "no-store",
      "x-request-id": requestId,
    },
  });

export function xmlNotifyRoute(
  handle: (deps: CoreDeps, body: string, request: Request) => Promise<{ reply: string }>,
): (request: Request) => Promise<Response> {
  return async (request) => {
    const requestId = requestIdFrom(request.headers.get("x-request-id"));
    const body = await readBodyCapped(request, MAX_NOTIFY_BYTES);
    if (body === undefined) return xml(replyXml(false, "报文过大"), requestId);
    const shared = await coreDeps().catch(() => undefined);
    if (!shared) return xml(replyXml(false, "系统繁忙"), requestId);
    // Every line the handler writes carries this delivery's id, so one notify can be followed through the log.
    const route = new URL(request.url).pathname;
    const deps = { ...shared, log: withLogFields(shared.log, { reqId: requestId, route }) };
    const started = performance.now();
    const { reply } = await handle(deps, body, request);
    deps.log.info("wechat notify answered", {
      ms: Math.round(performance.now() - started),
      success: reply.includes("SUCCESS"),
      bytes: body.length,
    });
    return xml(reply, requestId);
  };
}
