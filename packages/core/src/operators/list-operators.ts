// The console's operator list (admins only): who can sign in, with which role, and when they last did.
import { asc, eq, max } from "drizzle-orm";

import { operators, operatorSessions } from "@wxpay/db";
import type { TOperatorRow } from "@wxpay/db/schema";

import type { CoreDeps } from "../deps";

export type TOperatorListRow = Pick<
  TOperatorRow,
  "username" | "role" | "disabled" | "mustChangePassword" | "createdAt"
> & { lastSeenAt: Date | null };

export async function listOperators(deps: CoreDeps): Promise<TOperatorListRow[]> {
  return deps.db
    .select({
      username: operators.username,
      role: operators.role,
      disabled: operators.disabled,
      mustChangePassword: operators.mustChangePassword,
      createdAt: operators.createdAt,
      lastSeenAt: max(operatorSessions.lastSeenAt),
    })
    .from(operators)
    .leftJoin(operatorSessions, eq(operatorSessions.operatorId, operators.id))
    .groupBy(operators.id)
    .orderBy(asc(operators.username));
}
