// The shape every WeChat v2 notify endpoint shares: a size-capped raw body in, WeChat's XML reply out, always
// HTTP 200 (WeChat reads the body, never the status), FAIL whenever the shop cannot take it right now.
import type { CoreDeps } from "@wxpay/core";
import { MAX_NOTIFY_BYTES, requestIdFrom, withLogFields } from "@wxpay/core";
import { replyXml } from "@wxpay/wechatpay";

import { coreDeps } from "./deps";
import type { NotifyAnswer, NotifyEndpoint, NotifyRequest } from "./notify-transport";

const xml = (body: string, requestId: string): NotifyAnswer => ({
  status: 200,
  headers: {
    "content-type": "text/xml; charset=utf-8",
    "cache-control": "no-store",
    "x-request-id": requestId,
  },
  body,
});

export function xmlNotify(
  handle: (deps: CoreDeps, body: string, request: NotifyRequest) => Promise<{ reply: string }>,
): NotifyEndpoint {
  return async (request) => {
    const requestId = requestIdFrom(request.header("x-request-id"));
    const body = await request.body(MAX_NOTIFY_BYTES);
    if (body === undefined) return xml(replyXml(false, "报文过大"), requestId);
    const shared = await coreDeps().catch(() => undefined);
    if (!shared) return xml(replyXml(false, "系统繁忙"), requestId);
    // Every line the handler writes carries this delivery's id, so one notify can be followed through the log.
    const deps = { ...shared, log: withLogFields(shared.log, { reqId: requestId, route: request.path }) };
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
