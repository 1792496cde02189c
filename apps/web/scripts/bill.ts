// The daily bill check: `pnpm --filter @wxpay/web bill [yyyyMMdd]` (default: yesterday, Beijing time). Run it once a
// day after 10:00 Beijing time (WeChat makes the previous day's bill then, and keeps bills 3 months), e.g. from cron.
// Each run is recorded (the console's 对账 page lists them). Exits 1 when a difference remains unexplained.
import { runBillCheck } from "@wxpay/core";
import { formatBeijingTime } from "@wxpay/wechatpay";

import { coreDeps, dbHandle } from "../src/server/deps";

const deps = await coreDeps();
const billDate =
  process.argv[2] ?? formatBeijingTime(new Date(deps.now().getTime() - 24 * 3600_000)).slice(0, 8);
let code = 0;
try {
  const check = await runBillCheck(deps, { billDate, ranBy: "cli" });
  if (check.error) throw new Error(check.error);
  console.log(JSON.stringify({ billDate, trades: check.trades, matched: check.matched }));
  for (const d of check.differences) console.log(JSON.stringify(d));
  if (check.differences.some((d) => d.kind !== "APPLIED_FROM_BILL")) code = 1;
} catch (err) {
  console.error(String(err));
  code = 1;
} finally {
  await (await dbHandle()).close();
}
process.exit(code);
