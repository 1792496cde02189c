// WeChat counts calls per appid per API per day (Beijing) and answers 45009 past the daily quota.
import { formatBeijingTime } from "@wxpay/wechatpay";

import type { SimContext } from "../context";

export function takeDailyQuota(ctx: SimContext, appId: string, api: string, limit: number): boolean {
  const day = formatBeijingTime(new Date(ctx.clock.now())).slice(0, 8);
  const key = `${day}/${appId}/${api}`;
  const used = ctx.state.quotaUse.get(key) ?? 0;
  if (used >= limit) return false;
  ctx.state.quotaUse.set(key, used + 1);
  return true;
}
