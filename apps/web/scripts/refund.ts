// Refund a payment, in full or in part:
// `pnpm --filter @wxpay/web refund <orderId> [out_trade_no] [reason] [--amount-fen N]`.
// Without out_trade_no it refunds the payment that made the order PAID (or the only payment it received); without
// --amount-fen, everything still left of it. WeChat's refund notify then settles it; the same command re-sends a
// refund that did not get through. The console's refund button uses the same use case.
import { isCoreError, requestRefund } from "@wxpay/core";

import { coreDeps, dbHandle } from "../src/server/deps";

const args = process.argv.slice(2);
const amountAt = args.indexOf("--amount-fen");
const amountArg = amountAt >= 0 ? args[amountAt + 1] : undefined;
const [orderId, outTradeNo, reason] =
  amountAt >= 0 ? [...args.slice(0, amountAt), ...args.slice(amountAt + 2)] : args;
const amountFen = amountArg === undefined ? undefined : Number(amountArg);
if (!orderId || (amountFen !== undefined && !(Number.isSafeInteger(amountFen) && amountFen > 0))) {
  console.error("usage: pnpm --filter @wxpay/web refund <orderId> [out_trade_no] [reason] [--amount-fen N]");
  process.exit(2);
}
const deps = await coreDeps();
let code = 0;
try {
  const r = await requestRefund(deps, {
    orderId,
    ...(outTradeNo ? { outTradeNo } : {}),
    ...(reason ? { reason } : {}),
    ...(amountFen !== undefined ? { amountFen } : {}),
    requestedBy: "cli",
  });
  console.log(JSON.stringify(r));
} catch (err) {
  console.error(isCoreError(err) ? `${err.code}: ${err.message}` : err);
  code = 1;
} finally {
  await (await dbHandle()).close();
}
process.exit(code);
