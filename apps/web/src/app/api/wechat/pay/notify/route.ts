// WeChat's payment notify: raw XML in, WeChat's XML reply out, always HTTP 200 (WeChat reads the body).
import { clientIpFrom, handlePayNotify, MAX_NOTIFY_BYTES } from "@wxpay/core";
import { replyXml } from "@wxpay/wechatpay";

import { readBodyCapped } from "~/server/body";
import { coreDeps } from "~/server/deps";

const xml = (body: string) =>
  new Response(body, {
    status: 200,
    headers: { "content-type": "text/xml; charset=utf-8", "cache-control": "no-store" },
  });

export async function POST(request: Request) {
  const body = await readBodyCapped(request, MAX_NOTIFY_BYTES);
  if (body === undefined) return xml(replyXml(false, "报文过大"));
  const deps = await coreDeps().catch(() => undefined);
  if (!deps) return xml(replyXml(false, "系统繁忙"));
  const result = await handlePayNotify(deps, {
    body,
    remoteAddr: clientIpFrom(request.headers.get("x-forwarded-for"), deps.config.trustProxyHops),
  });
  return xml(result.reply);
}
