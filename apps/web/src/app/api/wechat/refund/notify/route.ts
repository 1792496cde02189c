// WeChat's refund result notify: encrypted req_info in, WeChat's XML reply out.
import { handleRefundNotify } from "@wxpay/core";

import { xmlNotifyRoute } from "~/server/xml-notify";

export const POST = xmlNotifyRoute((deps, body) => handleRefundNotify(deps, { body }));
