// `pnpm --filter @wxpay/web operator add <name> [--role viewer|operator|admin]`: a new operator with a one-time
// password, shown once, that must be changed at first login.
import { operators } from "@wxpay/db";
import type { TOperatorRow } from "@wxpay/db/schema";

import type { CoreDeps } from "../deps";
import { CoreError } from "../errors";
import { randomBase62 } from "../ids";
import { recordAudit } from "./audit";
import { hashPassword, oneTimePassword } from "./password";

export type TOperatorRole = TOperatorRow["role"];
export const OPERATOR_ROLES: readonly TOperatorRole[] = ["viewer", "operator", "admin"];

export async function addOperator(
  deps: CoreDeps,
  input: { username: string; role: TOperatorRole },
): Promise<{ operatorId: string; username: string; role: TOperatorRole; oneTimePassword: string }> {
  const username = input.username.trim().toLowerCase();
  if (!/^[a-z0-9_.-]{2,32}$/.test(username)) {
    throw new CoreError("BAD_INPUT", "用户名须为 2–32 个小写字母、数字或 _ . -");
  }
  if (!OPERATOR_ROLES.includes(input.role))
    throw new CoreError("BAD_INPUT", "角色须为 viewer、operator 或 admin");
  const password = oneTimePassword();
  const now = deps.now();
  const operatorId = `op_${randomBase62(20)}`;
  const inserted = await deps.db.transaction(async (tx) => {
    const rows = await tx
      .insert(operators)
      .values({
        id: operatorId,
        username,
        passwordHash: await hashPassword(password),
        role: input.role,
        mustChangePassword: true,
        passwordChangedAt: now,
        createdAt: now,
      })
      .onConflictDoNothing()
      .returning({ id: operators.id });
    if (rows.length === 0) return false;
    await recordAudit(
      tx,
      { operatorId, username, action: "OPERATOR_ADDED", ip: "cli", data: { role: input.role } },
      now,
    );
    return true;
  });
  if (!inserted) throw new CoreError("BAD_INPUT", `操作员 ${username} 已存在`);
  return { operatorId, username, role: input.role, oneTimePassword: password };
}
