// WeChat's payment notify: raw XML in, WeChat's XML reply out.
import { clientIpFrom, handlePayNotify } from "@wxpay/core";

import { xmlNotifyRoute } from "~/server/xml-notify";

export const POST = xmlNotifyRoute((deps, body, request) =>
  handlePayNotify(deps, {
    body,
    remoteAddr: clientIpFrom(request.headers.get("x-forwarded-for"), deps.config.trustProxyHops),
  }),
);
