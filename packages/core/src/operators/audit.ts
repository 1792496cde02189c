// The console's audit log: one append-only row per operator action (the table's trigger refuses UPDATE and DELETE).
import { and, desc, eq, lt } from "drizzle-orm";

import { auditLog } from "@wxpay/db";
import type { TAuditLogRow } from "@wxpay/db/schema";

import type { CoreDeps } from "../deps";
import type { Tx } from "../payments/apply-payment";

export type TAuditAction =
  | "LOGIN"
  | "LOGIN_FAILED"
  | "LOGOUT"
  | "PASSWORD_CHANGED"
  | "REFUND"
  | "RESOLVE_REVIEW"
  | "EXPORT"
  | "OPERATOR_ADDED"
  | "OPERATOR_DISABLED"
  | "OPERATOR_ENABLED"
  | "OPERATOR_ROLE_CHANGED";

export type TAuditEntry = {
  operatorId?: string | null;
  username: string;
  action: TAuditAction;
  ip?: string | null;
  orderId?: string | null;
  data?: Record<string, unknown>;
};

export async function recordAudit(db: CoreDeps["db"] | Tx, entry: TAuditEntry, at: Date): Promise<void> {
  await db.insert(auditLog).values({
    at,
    operatorId: entry.operatorId ?? null,
    username: entry.username,
    action: entry.action,
    ip: entry.ip ?? null,
    orderId: entry.orderId ?? null,
    data: entry.data ?? {},
  });
}

/** Newest first, keyset by id. */
export async function listAudit(
  deps: CoreDeps,
  input: { before?: number; limit: number; orderId?: string },
): Promise<{ rows: TAuditLogRow[]; nextBefore: number | null }> {
  const rows = await deps.db
    .select()
    .from(auditLog)
    .where(
      and(
        input.before ? lt(auditLog.id, input.before) : undefined,
        input.orderId ? eq(auditLog.orderId, input.orderId) : undefined,
      ),
    )
    .orderBy(desc(auditLog.id))
    .limit(input.limit + 1);
  const page = rows.slice(0, input.limit);
  return { rows: page, nextBefore: rows.length > input.limit ? (page.at(-1)?.id ?? null) : null };
}
