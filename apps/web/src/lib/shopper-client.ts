// Server side: what kind of browser this request comes from, for the first paint (pay button or desktop notice).
import { cookies, headers } from "next/headers";

import { env } from "~/env";

import { AS_WECHAT_COOKIE, asWechatModeAvailable, simulatorOrigin } from "./as-wechat";
import type { TClientKind } from "./client-kind";
import { detectClientKind, isIosUserAgent } from "./client-kind";

export type TShopperClient = {
  kind: TClientKind;
  ios: boolean;
  /** Development "as WeChat" mode is on (only possible in development against the simulator). */
  asWechat: boolean;
  /** The simulator's origin when WeChat is simulated. */
  simulator: string | undefined;
};

export async function shopperClient(): Promise<TShopperClient> {
  const [h, c] = await Promise.all([headers(), cookies()]);
  const ua = h.get("user-agent");
  const simulator = simulatorOrigin(env().WECHAT_OPEN_BASE);
  const asWechat = asWechatModeAvailable(env()) && c.get(AS_WECHAT_COOKIE)?.value === "1";
  return { kind: detectClientKind(ua, { asWechat }), ios: isIosUserAgent(ua), asWechat, simulator };
}
