// WeChat Pay API v3 refund notify (REFUND.SUCCESS / ABNORMAL / CLOSED): verified, decrypted, checked against our
// refund row, applied once; 204 only after commit.
import { handleV3RefundNotify } from "@wxpay/core";

import { jsonNotifyRoute } from "~/server/json-notify";

export const POST = jsonNotifyRoute(handleV3RefundNotify);
