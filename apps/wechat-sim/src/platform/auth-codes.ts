// OAuth codes (网页授权) and wx.login codes: single use, 5 minutes, bound to one appid and one user.
import type { SimContext } from "../context";
import { newCode } from "../ids";
import type { AuthCode } from "../state";
import { ERR, type PlatformReply } from "./platform-reply";

export const CODE_LIFE_MS = 5 * 60 * 1000; // WeChat: code 5 分钟未被使用自动过期.

export function issueCode(
  ctx: SimContext,
  kind: AuthCode["kind"],
  appId: string,
  userId: string,
  scope: string,
): AuthCode {
  const now = ctx.clock.now();
  const code: AuthCode = {
    code: newCode(),
    kind,
    appId,
    userId,
    scope,
    createdAt: now,
    expiresAt: now + CODE_LIFE_MS,
  };
  ctx.state.codes.set(code.code, code);
  return code;
}

/** Takes a code for use: WeChat's 40029 (unknown, expired, other app) and 40163 (already used). */
export function redeemCode(
  ctx: SimContext,
  kind: AuthCode["kind"],
  appId: string,
  value: string,
): { ok: true; code: AuthCode } | { ok: false; reply: PlatformReply } {
  const code = ctx.state.codes.get(value);
  if (!code || code.kind !== kind || code.appId !== appId) return { ok: false, reply: ERR.invalidCode() };
  if (code.usedAt !== undefined) return { ok: false, reply: ERR.codeBeenUsed() };
  const now = ctx.clock.now();
  if (now >= code.expiresAt) return { ok: false, reply: ERR.invalidCode() };
  code.usedAt = now;
  return { ok: true, code };
}
