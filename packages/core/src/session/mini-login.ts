import { eq } from "drizzle-orm";

import { customers } from "@wxpay/db";
import { WechatPlatformError } from "@wxpay/wechatpay";

import type { CoreDeps } from "../deps";
import { CoreError } from "../errors";
import { newCustomerId } from "../ids";
import { sealMiniToken } from "./session-token";

/**
 * wx.login's code → jscode2session → the customer of that openid → a Bearer token. The session_key stays on
 * the server (it is not even stored: the shop does not decrypt user data).
 */
export async function miniLogin(
  deps: CoreDeps,
  input: { code: string },
): Promise<{ token: string; expiresAt: Date }> {
  const { appId, secret } = deps.config.miniProgram;
  let openid: string;
  try {
    ({ openid } = await deps.platform.jscode2session({ appId, secret, code: input.code }));
  } catch (err) {
    if (err instanceof WechatPlatformError && err.kind === "CODE_INVALID") {
      throw new CoreError("LOGIN_REQUIRED", "登录凭证已失效，请重新登录", { cause: err });
    }
    deps.log.error("jscode2session failed", { error: String(err) });
    throw new CoreError("WECHAT_BUSY", "微信登录暂时不可用，请稍后重试", { cause: err });
  }
  await deps.db.insert(customers).values({ id: newCustomerId(), miniOpenid: openid }).onConflictDoNothing();
  const [customer] = await deps.db
    .select({ id: customers.id })
    .from(customers)
    .where(eq(customers.miniOpenid, openid));
  if (!customer) throw new Error("customer upsert returned nothing");
  const expiresAt = new Date(deps.now().getTime() + deps.config.miniTokenTtlMs);
  return {
    token: sealMiniToken(deps.config.sessionSecret, { customerId: customer.id, openid, expiresAt }),
    expiresAt,
  };
}
