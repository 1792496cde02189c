// Refund a payment in full: `pnpm --filter @wxpay/web refund <orderId> [out_trade_no] [reason]`.
// Without out_trade_no it refunds the payment that made the order PAID (or the only payment it received).
// WeChat's refund notify then settles it; the same command re-sends a refund that did not get through.
import { isCoreError, requestRefund } from "@wxpay/core";

import { coreDeps, dbHandle } from "../src/server/deps";

const [orderId, outTradeNo, reason] = process.argv.slice(2);
if (!orderId) {
  console.error("usage: pnpm --filter @wxpay/web refund <orderId> [out_trade_no] [reason]");
  process.exit(2);
}
const deps = await coreDeps();
let code = 0;
try {
  const r = await requestRefund(deps, {
    orderId,
    ...(outTradeNo ? { outTradeNo } : {}),
    ...(reason ? { reason } : {}),
  });
  console.log(JSON.stringify(r));
} catch (err) {
  console.error(isCoreError(err) ? `${err.code}: ${err.message}` : err);
  code = 1;
} finally {
  await (await dbHandle()).close();
}
process.exit(code);
