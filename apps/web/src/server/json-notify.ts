// The shape of both API v3 notify endpoints: a size-capped raw body and the Wechatpay-* headers in (verified by core
// before anything is parsed), WeChat v3's reply out — 204 when taken, 4xx/5xx with {"code":"FAIL"} when WeChat must
// retry.
import type { CoreDeps, TV3NotifyInput, TV3NotifyReply } from "@wxpay/core";
import { clientIpFrom, MAX_NOTIFY_BYTES, requestIdFrom, withLogFields } from "@wxpay/core";
import { v3NotifyReply } from "@wxpay/wechatpay/v3";

import { coreDeps } from "./deps";
import type { NotifyAnswer, NotifyEndpoint } from "./notify-transport";

const answer = (reply: TV3NotifyReply, requestId: string): NotifyAnswer => ({
  status: reply.status,
  headers: {
    ...(reply.status === 204 ? {} : { "content-type": reply.contentType }),
    "cache-control": "no-store",
    "x-request-id": requestId,
  },
  body: reply.status === 204 ? null : reply.body,
});

export function jsonNotify(
  handle: (deps: CoreDeps, input: TV3NotifyInput) => Promise<{ reply: TV3NotifyReply }>,
): NotifyEndpoint {
  return async (request) => {
    const requestId = requestIdFrom(request.header("x-request-id"));
    const body = await request.body(MAX_NOTIFY_BYTES);
    if (body === undefined) return answer(v3NotifyReply(false, "报文过大"), requestId);
    const shared = await coreDeps().catch(() => undefined);
    if (!shared) return answer(v3NotifyReply(false, "系统繁忙"), requestId);
    const deps = { ...shared, log: withLogFields(shared.log, { reqId: requestId, route: request.path }) };
    const started = performance.now();
    const { reply } = await handle(deps, {
      headers: request.headers(),
      body,
      remoteAddr: clientIpFrom(request.header("x-forwarded-for"), deps.config.trustProxyHops),
    });
    deps.log.info("wechat v3 notify answered", {
      ms: Math.round(performance.now() - started),
      status: reply.status,
      bytes: body.length,
    });
    return answer(reply, requestId);
  };
}
