// WeChat Pay API v3 payment notify: signed headers + AES-GCM resource in, 204 or {"code":"FAIL"} out. Live whatever
// WECHATPAY_API_VERSION says, so v3 attempts settle after a switch back.
import { handleV3PayNotify } from "@wxpay/core";

import { jsonNotifyRoute } from "~/server/json-notify";

export const POST = jsonNotifyRoute(handleV3PayNotify);
