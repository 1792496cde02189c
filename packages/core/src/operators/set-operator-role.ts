// An admin changes an operator's role. The role is read on every request, so the change holds at once for open
// sessions; the last enabled admin cannot be demoted.
import { eq } from "drizzle-orm";

import { operators } from "@wxpay/db";

import type { CoreDeps } from "../deps";
import { CoreError } from "../errors";
import type { TOperatorRole } from "./add-operator";
import { OPERATOR_ROLES } from "./add-operator";
import { recordAudit } from "./audit";
import { assertKeepsAnAdmin, lockForAdminChange } from "./last-admin";
import type { TOperatorSession } from "./operator-session";

export async function setOperatorRole(
  deps: CoreDeps,
  session: TOperatorSession,
  input: { username: string; role: TOperatorRole; ip: string },
): Promise<{ username: string; role: TOperatorRole }> {
  if (!OPERATOR_ROLES.includes(input.role))
    throw new CoreError("BAD_INPUT", "角色须为 viewer、operator 或 admin");
  const username = input.username.trim().toLowerCase();
  const now = deps.now();
  return deps.db.transaction(async (tx) => {
    const { target, enabledAdmins } = await lockForAdminChange(tx, username);
    if (target.role === input.role) return { username, role: target.role };
    assertKeepsAnAdmin(target, enabledAdmins, { role: input.role, disabled: target.disabled });
    await tx.update(operators).set({ role: input.role }).where(eq(operators.id, target.id));
    await recordAudit(
      tx,
      {
        operatorId: session.operator.id,
        username: session.operator.username,
        action: "OPERATOR_ROLE_CHANGED",
        ip: input.ip,
        data: { operator: username, from: target.role, to: input.role },
      },
      now,
    );
    return { username, role: input.role };
  });
}
