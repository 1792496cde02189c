// Official-account web OAuth (snsapi_base: silent) to learn the shopper's openid for JSAPI payments.
import { WechatPlatformError } from "@wxpay/wechatpay";

import { OAUTH_CALLBACK_PATH } from "../config";
import type { CoreDeps } from "../deps";
import { CoreError } from "../errors";
import { newCustomerId } from "../ids";
import type { TH5Session } from "./session-token";
import { openOauthState, safeReturnPath, sealH5Session, sealOauthState } from "./session-token";

export function oauthAuthorizeUrl(deps: CoreDeps, returnTo: string | null | undefined): string {
  const { config } = deps;
  return deps.platform.oauthAuthorizeUrl({
    appId: config.officialAccount.appId,
    redirectUri: `${config.appUrl}${OAUTH_CALLBACK_PATH}`,
    scope: "snsapi_base",
    state: sealOauthState(config.sessionSecret, safeReturnPath(returnTo), deps.now()),
  });
}

/** code + state → the session cookie value with the openid, and where to send the shopper back. */
export async function completeOauth(
  deps: CoreDeps,
  input: { code: string | null; state: string | null; session: TH5Session | undefined },
): Promise<{ cookie: string; returnTo: string }> {
  const { config } = deps;
  const state = openOauthState(config.sessionSecret, input.state ?? undefined, deps.now());
  if (!state) throw new CoreError("BAD_INPUT", "授权已过期，请重新进入页面");
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
    cookie: sealH5Session(config.sessionSecret, { customerId, openid }),
    returnTo: state.returnTo,
  };
}
