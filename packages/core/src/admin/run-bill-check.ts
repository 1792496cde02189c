// A bill check that leaves a record: each run (the `bill` command, or the console's button) is a bill_checks row with
// what matched, what differed, or why it could not run.
import { desc, eq } from "drizzle-orm";

import { billChecks } from "@wxpay/db";
import type { TBillCheckRow } from "@wxpay/db/schema";

import type { CoreDeps } from "../deps";
import { CoreError } from "../errors";
import { reconcileBill } from "../reconcile/reconcile-bill";

export async function runBillCheck(
  deps: CoreDeps,
  input: { billDate: string; ranBy: string },
): Promise<TBillCheckRow> {
  if (!/^20\d{6}$/.test(input.billDate)) throw new CoreError("BAD_INPUT", "账单日期格式应为 yyyyMMdd");
  const [run] = await deps.db
    .insert(billChecks)
    .values({ billDate: input.billDate, ranBy: input.ranBy, startedAt: deps.now() })
    .returning();
  if (!run) throw new Error("bill_checks insert returned nothing");
  let patch: Partial<TBillCheckRow>;
  try {
    const check = await reconcileBill(deps, { billDate: input.billDate });
    patch = {
      trades: check.trades,
      matched: check.matched,
      differences: check.differences as unknown as Record<string, unknown>[],
    };
  } catch (err) {
    patch = { error: String(err instanceof Error ? err.message : err).slice(0, 500) };
  }
  const [done] = await deps.db
    .update(billChecks)
    .set({ ...patch, finishedAt: deps.now() })
    .where(eq(billChecks.id, run.id))
    .returning();
  return done ?? run;
}

export async function listBillChecks(deps: CoreDeps, input: { limit: number }): Promise<TBillCheckRow[]> {
  return deps.db.select().from(billChecks).orderBy(desc(billChecks.startedAt)).limit(input.limit);
}
