// An admin disables or re-enables an operator. Disabling ends every session of theirs at once (and login refuses a
// disabled operator); the last enabled admin cannot be disabled, nor can an admin disable themselves.
import { and, eq, isNull } from "drizzle-orm";

import { operators, operatorSessions } from "@wxpay/db";

import type { CoreDeps } from "../deps";
import { CoreError } from "../errors";
import { recordAudit } from "./audit";
import { assertKeepsAnAdmin, lockForAdminChange } from "./last-admin";
import type { TOperatorSession } from "./operator-session";

export async function setOperatorDisabled(
  deps: CoreDeps,
  session: TOperatorSession,
  input: { username: string; disabled: boolean; ip: string },
): Promise<{ username: string; disabled: boolean; sessionsRevoked: number }> {
  const username = input.username.trim().toLowerCase();
  if (input.disabled && username === session.operator.username) {
    throw new CoreError("BAD_INPUT", "不能停用自己的账号");
  }
  const now = deps.now();
  return deps.db.transaction(async (tx) => {
    const { target, enabledAdmins } = await lockForAdminChange(tx, username);
    if (target.disabled === input.disabled) {
      return { username, disabled: target.disabled, sessionsRevoked: 0 };
    }
    assertKeepsAnAdmin(target, enabledAdmins, { role: target.role, disabled: input.disabled });
    await tx.update(operators).set({ disabled: input.disabled }).where(eq(operators.id, target.id));
    const revoked = input.disabled
      ? await tx
          .update(operatorSessions)
          .set({ revokedAt: now })
          .where(and(eq(operatorSessions.operatorId, target.id), isNull(operatorSessions.revokedAt)))
          .returning({ tokenHash: operatorSessions.tokenHash })
      : [];
    await recordAudit(
      tx,
      {
        operatorId: session.operator.id,
        username: session.operator.username,
        action: input.disabled ? "OPERATOR_DISABLED" : "OPERATOR_ENABLED",
        ip: input.ip,
        data: { operator: username, sessionsRevoked: revoked.length },
      },
      now,
    );
    return { username, disabled: input.disabled, sessionsRevoked: revoked.length };
  });
}
