// The console always keeps one enabled admin: an admin cannot disable or demote the last one (themselves included).
import { and, eq } from "drizzle-orm";

import { operators } from "@wxpay/db";
import type { TOperatorRow } from "@wxpay/db/schema";

import { CoreError } from "../errors";
import type { Tx } from "../payments/apply-payment";

/**
 * Locks the operator and every enabled admin (FOR UPDATE, in a stable order), so two admins demoting or disabling each
 * other at once are serialised: the second sees the first's change and is refused if it would leave no admin.
 */
export async function lockForAdminChange(
  tx: Tx,
  username: string,
): Promise<{ target: TOperatorRow; enabledAdmins: number }> {
  const admins = await tx
    .select({ id: operators.id })
    .from(operators)
    .where(and(eq(operators.role, "admin"), eq(operators.disabled, false)))
    .orderBy(operators.id)
    .for("update");
  const [target] = await tx.select().from(operators).where(eq(operators.username, username)).for("update");
  if (!target) throw new CoreError("NOT_FOUND", `没有操作员 ${username}`);
  return { target, enabledAdmins: admins.length };
}

/** Refuses a change that would leave the console without an enabled admin. */
export function assertKeepsAnAdmin(
  target: Pick<TOperatorRow, "role" | "disabled">,
  enabledAdmins: number,
  after: { role: TOperatorRow["role"]; disabled: boolean },
): void {
  const wasEnabledAdmin = target.role === "admin" && !target.disabled;
  const staysEnabledAdmin = after.role === "admin" && !after.disabled;
  if (wasEnabledAdmin && !staysEnabledAdmin && enabledAdmins <= 1) {
    throw new CoreError("LAST_ADMIN", "这是最后一位启用的管理员，不能停用或降级");
  }
}
