// Official-account web OAuth (snsapi_base: silent) to learn the shopper's openid for JSAPI payments.
import { WechatPlatformError } from "@wxpay/wechatpay";

import { OAUTH_CALLBACK_PATH } from "../config";
import type { CoreDeps } from "../deps";
import { CoreError } from "../errors";
import { newCustomerId, randomBase62 } from "../ids";
import type { TH5Session } from "./session-token";
import { openOauthCookie, safeReturnPath, sealH5Session, sealOauthCookie } from "./session-token";

/**
 * Where to send the shopper (WeChat's authorize page) and the cookie that must travel with them: `state` is a
 * random nonce (WeChat: "state … a-zA-Z0-9 的参数值，最多128字节"), bound to this browser by the signed cookie.
 */
export function beginOauth(
  deps: CoreDeps,
  returnTo: string | null | undefined,
): { url: string; cookie: string } {
  const { config } = deps;
  const nonce = randomBase62(24);
  return {
    url: deps.platform.oauthAuthorizeUrl({
      appId: config.officialAccount.appId,
      redirectUri: `${config.appUrl}${OAUTH_CALLBACK_PATH}`,
      scope: "snsapi_base",
      state: nonce,
    }),
    cookie: sealOauthCookie(config.sessionSecret, { nonce, returnTo: safeReturnPath(returnTo) }, deps.now()),
  };
}

/** code + state (checked against this browser's OAuth cookie) → the session cookie with the openid, and where to return. */
export async function completeOauth(
  deps: CoreDeps,
  input: {
    code: string | null;
    state: string | null;
    oauthCookie: string | undefined;
    session: TH5Session | undefined;
  },
): Promise<{ cookie: string; returnTo: string }> {
  const { config } = deps;
  const started = openOauthCookie(config.sessionSecret, input.oauthCookie, deps.now());
  // A state that is not this browser's own nonce is a forged or replayed callback (login CSRF).
  if (!started || !input.state || input.state !== started.nonce)
    throw new CoreError("BAD_INPUT", "授权已过期，请重新进入页面");
  const state = { returnTo: started.returnTo };
  // WeChat: a user who refuses authorisation comes back without a code.
  if (!input.code) throw new CoreError("OAUTH_REQUIRED", "未获得微信授权");
  let openid: string;
  try {
    ({ openid } = await deps.platform.oauthAccessToken({
      appId: config.officialAccount.appId,
      secret: config.officialAccount.secret,
      code: input.code,
    }));
  } catch (err) {
    if (err instanceof WechatPlatformError && err.kind === "CODE_INVALID") {
      throw new CoreError("OAUTH_REQUIRED", "授权码已失效，请重新进入页面", { cause: err });
    }
    deps.log.error("oauth code exchange failed", { error: String(err) });
    throw new CoreError("WECHAT_BUSY", "微信授权暂时不可用，请稍后重试", { cause: err });
  }
  const customerId = input.session?.customerId ?? newCustomerId();
  return {
    cookie: sealH5Session(config.sessionSecret, { customerId, openid }, deps.now()).cookie,
    returnTo: state.returnTo,
  };
}
