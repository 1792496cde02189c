// Who is calling the console: an operator session from the console's own cookie with at least the role asked for.
// Shared by the admin.* procedures and the console's plain route handlers (the streamed CSV export).
import type { CoreDeps, TOperatorSession } from "@wxpay/core";
import { ADMIN_COOKIE, openOperatorSession } from "@wxpay/core";

import { readCookie } from "./context";

export const ROLE_RANK = { viewer: 0, operator: 1, admin: 2 } as const;
export type TAdminRole = keyof typeof ROLE_RANK;

export type TAdminAccess =
  | { ok: true; operator: TOperatorSession }
  | { ok: false; why: "LOGIN_REQUIRED" | "PASSWORD_CHANGE_REQUIRED" | "FORBIDDEN" };

export async function adminAccess(
  deps: CoreDeps,
  headers: Headers,
  role: TAdminRole,
  opts: { allowPasswordChange?: boolean } = {},
): Promise<TAdminAccess> {
  // A Bearer token (the mini-program's) never reaches the console, whatever cookie rides along.
  if (headers.get("authorization")) return { ok: false, why: "LOGIN_REQUIRED" };
  const operator = await openOperatorSession(deps, readCookie(headers, ADMIN_COOKIE));
  if (!operator) return { ok: false, why: "LOGIN_REQUIRED" };
  if (operator.operator.mustChangePassword && !opts.allowPasswordChange) {
    return { ok: false, why: "PASSWORD_CHANGE_REQUIRED" };
  }
  if (ROLE_RANK[operator.operator.role] < ROLE_RANK[role]) return { ok: false, why: "FORBIDDEN" };
  return { ok: true, operator };
}
