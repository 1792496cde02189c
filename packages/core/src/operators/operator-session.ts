// Operator sessions for the console: a random token in its own cookie (HttpOnly, SameSite=Strict, distinct from the
// shopper's), only its SHA-256 stored. A session ends 12 hours after login, after 30 minutes unused, on logout, and
// when the operator's password changes or the operator is disabled.
import crypto from "node:crypto";

import { and, eq, isNull } from "drizzle-orm";

import { operators, operatorSessions } from "@wxpay/db";
import type { TOperatorRow } from "@wxpay/db/schema";

import type { CoreDeps } from "../deps";
import { CoreError } from "../errors";
import { randomBase62 } from "../ids";
import { enforceLimits } from "../limits/enforce-rate-limit";
import { recordAudit } from "./audit";
import { decoyHash, hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from "./password";

export const ADMIN_COOKIE = "wxpay_admin";
export const ADMIN_SESSION_MAX_AGE_S = 12 * 60 * 60;
export const ADMIN_SESSION_IDLE_S = 30 * 60;
/** Login attempts per minute, per username and per IP, counted in the shared rate-limit table. */
export const ADMIN_LOGIN_LIMITS = { perUsername: 5, perIp: 20 };

export type TOperator = Pick<TOperatorRow, "id" | "username" | "role" | "mustChangePassword">;
export type TOperatorSession = { operator: TOperator; tokenHash: string };

const hashOf = (token: string) => crypto.createHash("sha256").update(token).digest("hex");

const loginFailed = () => new CoreError("LOGIN_REQUIRED", "用户名或密码不正确");

export async function operatorLogin(
  deps: CoreDeps,
  input: { username: string; password: string; ip: string },
): Promise<{ token: string; operator: TOperator }> {
  const username = input.username.trim().toLowerCase();
  await enforceLimits(
    deps,
    new Map([
      [`adminLogin:ip:${input.ip}`, ADMIN_LOGIN_LIMITS.perIp],
      [`adminLogin:user:${username}`, ADMIN_LOGIN_LIMITS.perUsername],
    ]),
  );
  const now = deps.now();
  const [op] = await deps.db.select().from(operators).where(eq(operators.username, username));
  // The same scrypt cost whether or not the username exists: timing does not tell which usernames are real.
  const ok = await verifyPassword(input.password, op?.passwordHash ?? (await decoyHash()));
  if (!op || !ok || op.disabled) {
    await recordAudit(
      deps.db,
      {
        operatorId: op?.id ?? null,
        username: username.slice(0, 64),
        action: "LOGIN_FAILED",
        ip: input.ip,
        data: { why: !op ? "unknown user" : op.disabled ? "disabled" : "wrong password" },
      },
      now,
    );
    throw loginFailed();
  }
  const token = randomBase62(43);
  await deps.db.transaction(async (tx) => {
    await tx.insert(operatorSessions).values({
      tokenHash: hashOf(token),
      operatorId: op.id,
      ip: input.ip,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: new Date(now.getTime() + ADMIN_SESSION_MAX_AGE_S * 1000),
    });
    await recordAudit(tx, { operatorId: op.id, username: op.username, action: "LOGIN", ip: input.ip }, now);
  });
  return {
    token,
    operator: { id: op.id, username: op.username, role: op.role, mustChangePassword: op.mustChangePassword },
  };
}

/** The operator behind a console cookie, or undefined; touching it keeps an active session alive. */
export async function openOperatorSession(
  deps: CoreDeps,
  token: string | undefined,
): Promise<TOperatorSession | undefined> {
  if (!token || !/^[0-9A-Za-z]{43}$/.test(token)) return undefined;
  const now = deps.now();
  const tokenHash = hashOf(token);
  const [row] = await deps.db
    .select({ s: operatorSessions, o: operators })
    .from(operatorSessions)
    .innerJoin(operators, eq(operators.id, operatorSessions.operatorId))
    .where(and(eq(operatorSessions.tokenHash, tokenHash), isNull(operatorSessions.revokedAt)));
  if (!row || row.o.disabled) return undefined;
  if (row.s.expiresAt <= now) return undefined;
  if (now.getTime() - row.s.lastSeenAt.getTime() > ADMIN_SESSION_IDLE_S * 1000) return undefined;
  // Sessions from before the last password change are over.
  if (row.s.createdAt < row.o.passwordChangedAt) return undefined;
  if (now.getTime() - row.s.lastSeenAt.getTime() > 60_000) {
    await deps.db
      .update(operatorSessions)
      .set({ lastSeenAt: now })
      .where(eq(operatorSessions.tokenHash, tokenHash));
  }
  return {
    tokenHash,
    operator: {
      id: row.o.id,
      username: row.o.username,
      role: row.o.role,
      mustChangePassword: row.o.mustChangePassword,
    },
  };
}

export async function operatorLogout(deps: CoreDeps, session: TOperatorSession, ip: string): Promise<void> {
  const now = deps.now();
  await deps.db.transaction(async (tx) => {
    await tx
      .update(operatorSessions)
      .set({ revokedAt: now })
      .where(eq(operatorSessions.tokenHash, session.tokenHash));
    await recordAudit(
      tx,
      { operatorId: session.operator.id, username: session.operator.username, action: "LOGOUT", ip },
      now,
    );
  });
}

/**
 * Replaces the operator's password (the current one is required) and ends every session of theirs, this one included;
 * a fresh session is returned so the operator stays logged in here.
 */
export async function changeOperatorPassword(
  deps: CoreDeps,
  session: TOperatorSession,
  input: { currentPassword: string; newPassword: string; ip: string },
): Promise<{ token: string }> {
  if (input.newPassword.length < MIN_PASSWORD_LENGTH || input.newPassword.length > 200) {
    throw new CoreError("BAD_INPUT", `新密码至少 ${MIN_PASSWORD_LENGTH} 个字符`);
  }
  if (input.newPassword === input.currentPassword)
    throw new CoreError("BAD_INPUT", "新密码不能与当前密码相同");
  const [op] = await deps.db.select().from(operators).where(eq(operators.id, session.operator.id));
  if (!op || !(await verifyPassword(input.currentPassword, op.passwordHash))) {
    throw new CoreError("BAD_INPUT", "当前密码不正确");
  }
  const hash = await hashPassword(input.newPassword);
  const now = deps.now();
  // The new session starts a millisecond after the change, so only the sessions from before it end.
  const later = new Date(now.getTime() + 1);
  const token = randomBase62(43);
  await deps.db.transaction(async (tx) => {
    await tx
      .update(operators)
      .set({ passwordHash: hash, mustChangePassword: false, passwordChangedAt: now })
      .where(eq(operators.id, op.id));
    await tx
      .update(operatorSessions)
      .set({ revokedAt: now })
      .where(and(eq(operatorSessions.operatorId, op.id), isNull(operatorSessions.revokedAt)));
    await tx.insert(operatorSessions).values({
      tokenHash: hashOf(token),
      operatorId: op.id,
      ip: input.ip,
      createdAt: later,
      lastSeenAt: later,
      expiresAt: new Date(later.getTime() + ADMIN_SESSION_MAX_AGE_S * 1000),
    });
    await recordAudit(
      tx,
      { operatorId: op.id, username: op.username, action: "PASSWORD_CHANGED", ip: input.ip },
      now,
    );
  });
  return { token };
}
