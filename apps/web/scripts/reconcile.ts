// One reconciliation pass now, then the orders that need an operator: `pnpm --filter @wxpay/web reconcile`.
// Uses the same configuration as the web app (env, or the sandbox defaults).
import { listOrdersNeedingReview, reconcilePass } from "@wxpay/core";

import { coreDeps, dbHandle } from "../src/server/deps";

const deps = await coreDeps();
try {
  const stats = await reconcilePass(deps);
  console.log(JSON.stringify({ reconcile: stats }));
  const review = await listOrdersNeedingReview(deps);
  for (const r of review) {
    console.log(
      JSON.stringify({ needsReview: r.orderId, amountFen: r.amountFen, events: r.events.map((e) => e.type) }),
    );
  }
  if (review.length === 0) console.log("no orders need review");
} finally {
  await (await dbHandle()).close();
}
