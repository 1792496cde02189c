// Every WeChat notify the shop answers, by path. Next's route files serve them (`pnpm dev`, `next start`), and the
// production server hands the same paths straight to these endpoints without Next's router (direct-routes.ts).
import {
  clientIpFrom,
  handlePayNotify,
  handleRefundNotify,
  handleV3PayNotify,
  handleV3RefundNotify,
} from "@wxpay/core";

import { jsonNotify } from "./json-notify";
import type { NotifyEndpoint } from "./notify-transport";
import { xmlNotify } from "./xml-notify";

export const NOTIFY_ENDPOINTS = {
  // Payment result: raw XML in, WeChat's XML reply out.
  "/api/wechat/pay/notify": xmlNotify((deps, body, request) =>
    handlePayNotify(deps, {
      body,
      remoteAddr: clientIpFrom(request.header("x-forwarded-for"), deps.config.trustProxyHops),
    }),
  ),
  // Refund result: encrypted req_info in, WeChat's XML reply out.
  "/api/wechat/refund/notify": xmlNotify((deps, body) => handleRefundNotify(deps, { body })),
  // API v3 payment result: signed headers + AES-GCM resource in. Live whatever WECHATPAY_API_VERSION says, so v3
  // attempts settle after a switch back.
  "/api/wechat/v3/pay/notify": jsonNotify(handleV3PayNotify),
  // API v3 refund result (REFUND.SUCCESS / ABNORMAL / CLOSED): verified, decrypted, applied once; 204 after commit.
  "/api/wechat/v3/refund/notify": jsonNotify(handleV3RefundNotify),
} satisfies Record<string, NotifyEndpoint>;

export type NotifyPath = keyof typeof NOTIFY_ENDPOINTS;
